import type { CheckReport } from '../../core/health/check.ts';
import type { ProbeResult } from '../../core/health/types.ts';
import { formatDuration } from '../../duration.ts';

/** Human output of `check` and `probe`: one line per probe, then the demotion. */

export function probeStatus(probe: ProbeResult): string {
  if (probe.skipped === true) return 'not run';
  return probe.ok ? 'ok' : 'FAIL';
}

export function formatProbe(probe: ProbeResult, width = probe.name.length): string {
  return `${probeStatus(probe).padEnd(7)} ${probe.name.padEnd(width)}  ${probe.detail} (${formatDuration(probe.durationMs)})`;
}

export function formatReport(report: CheckReport): string {
  const width = Math.max(...report.probes.map((p) => p.name.length), 0);
  const lines = [`${report.healthy ? 'healthy' : 'unhealthy'} (${formatDuration(report.durationMs)})`];
  for (const probe of report.probes) lines.push(`  ${formatProbe(probe, width)}`);
  if (report.demotion !== null) lines.push(formatDemotion(report.demotion));
  if (report.error !== undefined) lines.push(`error: ${report.error}`);
  return `${lines.join('\n')}\n`;
}

export function formatDemotion(demotion: { total: number; ours: boolean; changed: 'demoted' | 'promoted' | null; reasons: Record<string, unknown> }): string {
  const reasons = Object.keys(demotion.reasons).sort();
  const change = demotion.changed === null ? '' : ` (${demotion.changed} now)`;
  const why = reasons.length > 0 ? `, reasons: ${reasons.join(', ')}` : '';
  return `demotion: net.inet.carp.demotion ${demotion.total}, carp-ovh bit ${demotion.ours ? 'set' : 'clear'}${change}${why}`;
}
