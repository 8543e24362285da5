/**
 * The real keepalived failover, end to end: two keepalived routers in network
 * namespaces (test/support/keepalived-world.ts), carp-ovh as their notify, the
 * OVH simulator completing each task after D. The MASTER's keepalived is killed
 * (SIGKILL: no goodbye advert), and the clock runs until OVH routes the VIP to
 * the new MASTER's vMAC. Beside it, its two parts: keepalived's own election
 * (death → the peer logs "Entering MASTER STATE") and carp-ovh's claim (that
 * moment → the VIP at OVH), against 2·D, the two OVH tasks a move waits for.
 * Kills alternate between the routers, in one pair, so each run is a failover.
 *
 * Needs root and keepalived (the section says so and measures nothing otherwise).
 * Run it alone with `node bench/keepalived.ts [--quick]`.
 */
import { skipUnlessKeepalived } from '../test/support/keepalived-pair.ts';
import { startKeepalivedWorld, type KeepalivedRouter, type KeepalivedWorld } from '../test/support/keepalived-world.ts';
import { cpus, loadavg } from 'node:os';
import { formatDuration } from '../src/duration.ts';

import { type BenchContext, type BenchRow, type BenchSection, ratio, type SectionReport } from './section.ts';

export interface FailoverRun {
  electionMs: number;
  claimMs: number;
  totalMs: number;
}

export interface KeepalivedFailoverResult {
  delayMs: number;
  advertIntS: number;
  runs: FailoverRun[];
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now();
}

/** `runs` failovers at OVH task delay `delayMs`, in one keepalived pair. */
export async function keepalivedFailover(delayMs: number, runs: number, log: (text: string) => void = () => undefined): Promise<KeepalivedFailoverResult> {
  const world: KeepalivedWorld = await startKeepalivedWorld({ ovhDelayMs: delayMs, label: 'bench-keepalived' });
  const bound = 60_000 + 4 * delayMs;
  try {
    await world.a.node.start();
    await world.a.node.waitState('MASTER', bound);
    await until(() => world.holders().join() === world.a.mac, "the VIP on a's vMAC", bound);
    await world.b.node.start();
    await world.b.node.waitState('BACKUP', bound);
    const results: FailoverRun[] = [];
    let master: KeepalivedRouter = world.a;
    let backup: KeepalivedRouter = world.b;
    for (let i = 0; i < runs; i++) {
      const death = performance.now();
      await master.node.kill('SIGKILL');
      const elected = await backup.node.waitState('MASTER', bound);
      const atOvh = await until(() => world.holders().join() === backup.mac, `the VIP on ${backup.name}'s vMAC`, bound);
      const run = { electionMs: elected - death, claimMs: atOvh - elected, totalMs: atOvh - death };
      results.push(run);
      log(
        `keepalived failover ${i + 1}/${runs}: election ${formatDuration(run.electionMs)}, claim ${formatDuration(run.claimMs)}, total ${formatDuration(run.totalMs)}`,
      );
      // The dead router comes back as BACKUP (equal priorities) for the next round.
      await master.node.start();
      await master.node.waitState('BACKUP', bound);
      [master, backup] = [backup, master];
    }
    return { delayMs, advertIntS: 1, runs: results };
  } finally {
    await world.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export const keepalivedSection: BenchSection = {
  name: 'keepalived failover',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const why = skipUnlessKeepalived();
    if (why !== false) return { rows: [], method: [], decisions: [], skipped: why };
    const delayMs = 1000;
    const count = ctx.quick ? 1 : 3;
    ctx.log(`real keepalived failover at D = ${formatDuration(delayMs)} (${count} run${count === 1 ? '' : 's'}) …`);
    const loadBefore = loadavg()[0] ?? 0;
    const result = await keepalivedFailover(delayMs, count, ctx.log);
    const total = median(result.runs.map((r) => r.totalMs));
    const election = median(result.runs.map((r) => r.electionMs));
    const claim = median(result.runs.map((r) => r.claimMs));
    // VRRP's master-down interval: 3 adverts plus the skew, (256 - priority) / 256 of one.
    const masterDownMs = (3 + (256 - 100) / 256) * result.advertIntS * 1000;
    const ms = (v: number): string => formatDuration(v);
    const rows: BenchRow[] = [
      [
        `keepalived: MASTER killed → VIP at OVH on the new MASTER (D = ${ms(delayMs)}, median of ${count})`,
        ms(total),
        `election + 2·D = ${ms(election + 2 * delayMs)}`,
        ratio(total, election + 2 * delayMs),
        '≤ 1.3',
      ],
      ['  keepalived election (kill → peer MASTER)', ms(election), `master-down ${ms(masterDownMs)}`, ratio(election, masterDownMs), '—'],
      ['  carp-ovh claim (peer MASTER → VIP at OVH)', ms(claim), `2·D = ${ms(2 * delayMs)}`, ratio(claim, 2 * delayMs), '≤ 1.5'],
    ];
    return {
      rows,
      method: [
        `keepalived failover: two keepalived 2.x routers in network namespaces on a veth pair (advert_int ${result.advertIntS} s, equal priorities), carp-ovh as their notify through the snippets \`install\` writes, the OVH simulator finishing each task after D = ${ms(delayMs)}; the MASTER's keepalived is killed with SIGKILL (no goodbye advert) and the clock stops when OVH lists the VIP on the peer's vMAC. The election ends when the peer's keepalived logs "Entering MASTER STATE"; the claim is the rest (keepalived's notify, the hook, the detached worker, the Vault read, then the OVH calls). One-minute load average when it started: ${loadBefore.toFixed(1)} on ${cpus().length} CPUs.`,
      ],
      decisions: [
        `A real keepalived failover took ${ms(total)} from the MASTER's death to the VIP at OVH: ${ms(election)} of keepalived's own election (its master-down interval is ${ms(masterDownMs)}) and ${ms(claim)} of carp-ovh's claim, ${ratio(claim, 2 * delayMs)}× the 2·D = ${ms(2 * delayMs)} OVH's two tasks take${claim <= 1.5 * 2 * delayMs ? '' : ' — more than the 1.5× goal'}.`,
      ],
      ...(ctx.quick ? { skipped: 'keepalived failover: 1 run instead of 3' } : {}),
    };
  },
};

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const report = await keepalivedSection.run({ quick, log: (text) => void process.stderr.write(`bench: ${text}\n`) });
  process.stdout.write(
    `${report.rows.map((row) => row.join(' | ')).join('\n')}\n\n${report.method.map((l) => `- ${l}`).join('\n')}\n${report.decisions.map((l) => `- ${l}`).join('\n')}\n${report.skipped === undefined ? '' : `skipped: ${report.skipped}\n`}`,
  );
}
