import type { DryRunReport } from '../../core/dry-run.ts';

/** The plan as the operator reads it: per entry, each change in the order the claim would send it. */
export function formatDryRun(report: DryRunReport): string {
  const lines = ['dry run: nothing is changed at OVH'];
  let n = 0;
  for (const entry of report.entries) {
    const head = `${entry.key}: ${entry.state}${entry.mac === null ? '' : `, MAC ${entry.mac}`}`;
    if (entry.result === 'not-master') {
      lines.push(`${head}: not MASTER, nothing to claim`);
      continue;
    }
    if (entry.result === 'failed') {
      lines.push(`${head}: the claim would fail: ${entry.error ?? 'unknown error'}`);
      continue;
    }
    if (entry.calls.length === 0) {
      lines.push(`${head}: every address is already here, no change`);
      continue;
    }
    lines.push(`${head}:`);
    for (const call of entry.calls) {
      n += 1;
      const body = call.body === undefined ? '' : ` ${JSON.stringify(call.body)}`;
      lines.push(`  ${n}. ${call.address}: ${call.from ?? 'nowhere'} -> ${call.to}: ${call.method} ${call.path}${body}`);
    }
  }
  lines.push(report.complete ? `plan complete: ${n} ${n === 1 ? 'change' : 'changes'} would be sent` : `plan incomplete: ${report.error ?? 'see above'}`);
  return `${lines.join('\n')}\n`;
}
