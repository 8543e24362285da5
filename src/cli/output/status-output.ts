import { describeCheck, describeClaim, describeReasons } from '../../core/doctor/history.ts';
import type { AddressStatus, StatusReport } from '../../core/status.ts';
import { wrap, type Paint } from './text.ts';

const INDENT = '            ';

function where(address: AddressStatus, paint: Paint): string {
  if (address.error !== undefined) return paint.yellow(`unknown: ${address.error}`);
  if (address.holder === null) return paint.red(address.where === undefined ? 'on no vMAC (routed nowhere)' : `routed nowhere: ${address.where}`);
  const holder = address.where ?? address.holder;
  if (address.here === true) return `on this router (${holder})`;
  return `on ${holder}${address.here === false ? ' (not this router)' : ''}`;
}

/** One screen: each vhid with its VIPs, then what holds for the whole router. */
export function formatStatus(report: StatusReport, now: number, paint: Paint): string {
  const out = wrap(`${report.config} (${report.at})`, 'carp-ovh status: ', '  ').map((line) => paint.bold(line));
  for (const vhid of report.vhids) {
    const state = vhid.state === 'MASTER' ? paint.green(vhid.state) : vhid.state === 'BACKUP' ? vhid.state : paint.yellow(vhid.state);
    out.push(
      '',
      `${vhid.key ?? `${vhid.vhid ?? '?'}@${vhid.interface}`}: ${state}${vhid.mac === null ? '' : `, MAC ${vhid.mac}`}${vhid.error === undefined ? '' : ` (${vhid.error})`}`,
    );
    const width = Math.max(...vhid.addresses.map((a) => a.address.length));
    for (const address of vhid.addresses) out.push(...wrap(where(address, paint), `  ${address.address.padEnd(width)}  `, `  ${' '.repeat(width + 2)}`));
  }
  out.push('');
  const d = report.demotion;
  let demotion: string;
  if (d.total === null) demotion = paint.yellow(`unknown: ${d.error ?? ''}`);
  else {
    const reasons = Object.keys(d.reasons).length > 0 ? `: ${describeReasons(d.reasons)}` : '';
    const others = (d.others ?? 0) > 0 ? `; ${d.others} from elsewhere` : '';
    demotion = `${d.total} total, our bit (${d.bit}) ${d.ours === true ? paint.yellow('set') : 'clear'}${reasons}${others}`;
  }
  out.push(...wrap(demotion, 'demotion:   ', INDENT));
  out.push(...wrap(report.lastClaim === null ? 'none recorded' : describeClaim(report.lastClaim, now), 'last claim: ', INDENT));
  out.push(...wrap(report.lastCheck === null ? 'none recorded' : describeCheck(report.lastCheck, now), 'last check: ', INDENT));
  return `${out.join('\n')}\n`;
}
