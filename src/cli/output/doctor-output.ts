import type { Check, CheckGroup, DoctorReport } from '../../core/doctor/types.ts';
import { wrap, type Paint } from './text.ts';

const LABEL: Record<Check['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };
const GROUP: Record<CheckGroup, string> = {
  config: 'configuration',
  environment: 'environment',
  platform: 'CARP on this router',
  install: 'installed files',
  secrets: 'secret files',
  vault: 'Vault',
  ovh: 'OVH API',
  placement: 'where the VIPs are',
  history: 'last claim, demotion, last check',
};
const INDENT = '      ';

/** The checklist: one entry per check (wrapped to 80 columns), the fix under it, a verdict at the end. */
export function formatDoctor(report: DoctorReport, paint: Paint): string {
  const out = wrap(`${report.config}${report.root === '/' ? '' : ` (installed files under ${report.root})`}`, 'carp-ovh doctor: ', '  ').map((line) =>
    paint.bold(line),
  );
  let group: CheckGroup | null = null;
  for (const check of report.checks) {
    if (check.group !== group) {
      group = check.group;
      out.push('', paint.dim(`${GROUP[group]}:`));
    }
    const colour = check.status === 'pass' ? paint.green : check.status === 'warn' ? paint.yellow : check.status === 'fail' ? paint.red : paint.dim;
    const lines = wrap(`${check.title}: ${check.detail}`, `${LABEL[check.status]}  `, INDENT);
    out.push(colour(LABEL[check.status]) + (lines[0] ?? '').slice(4), ...lines.slice(1));
    if (check.fix !== undefined) out.push(...wrap(`fix: ${check.fix}`, INDENT, INDENT).map((line) => paint.dim(line)));
  }
  const { pass, warn, fail, skip } = report.summary;
  const verdict = fail > 0 ? paint.red(`${fail} FAIL`) : warn > 0 ? paint.yellow('no FAIL') : paint.green('all pass');
  out.push('', `${verdict}: ${pass} pass, ${warn} warn, ${fail} fail, ${skip} not run`);
  return `${out.join('\n')}\n`;
}
