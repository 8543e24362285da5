/**
 * `npm run bench`: every figure measured side by side in one run, printed as a
 * table and written to docs/benchmarks.md. `--quick` skips the 30 s-delay runs.
 */
import { writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { formatDuration } from '../src/duration.ts';
import { convergence, manyVips, type ConvergenceResult, type ManyVipsResult } from './convergence.ts';
import { hookStartup, type StartupResult } from './startup.ts';
import { checkTimings, type CheckTimings } from './check.ts';

const quick = process.argv.includes('--quick');
const started = Date.now();
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

log('hook start-up vs node -e 0 …');
const startup: StartupResult = await hookStartup(21);

log('claim convergence at D = 1 s (3 runs, each beside the seed script) …');
const shortRuns: ConvergenceResult[] = [];
for (let i = 0; i < 3; i++) shortRuns.push(await convergence(1000));
const short = pickMedian(shortRuns);

log(`check timings …`);
const check: CheckTimings = await checkTimings();

log(quick ? 'VIP counts at D = 2 s (quick: 1 and 8) …' : 'claim convergence at D = 30 s, beside 1, 8 and 32 VIPs at D = 2 s (about 70 s) …');
const [long, seedLike, ...vips] = await Promise.all([
  quick ? Promise.resolve(null) : convergence(30_000),
  // The seed's log shows ~33 s per step: just past the backoff's 31 s check.
  quick ? Promise.resolve(null) : convergence(33_000),
  manyVips(1, 2000),
  manyVips(8, 2000),
  ...(quick ? [] : [manyVips(32, 2000)]),
]);

const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), ${platform()} ${release()}`;
const ratio = (a: number, b: number): string => (a / b).toFixed(2);
const ms = (v: number): string => formatDuration(v);
const kb = (v: number | null): string => (v === null ? 'n/a' : `${(v / 1024).toFixed(0)} MiB`);

const rows: string[][] = [
  ['measure', 'carp-ovh', 'reference', 'ratio', 'goal'],
  ['hook return (median of 21) vs node -e 0', ms(startup.hookMs), ms(startup.nodeMs), ratio(startup.hookMs, startup.nodeMs), '≤ 2'],
  ['  same, with NODE_COMPILE_CACHE', ms(startup.hookCachedMs), ms(startup.nodeMs), ratio(startup.hookCachedMs, startup.nodeMs), '—'],
  ['claim at D = 1 s vs 2·D', ms(short.carpOvhMs), ms(2 * short.delayMs), ratio(short.carpOvhMs, 2 * short.delayMs), '≤ 1.5'],
  ['  seed backoff at D = 1 s vs carp-ovh', ms(short.seedBackoffMs), ms(short.carpOvhMs), ratio(short.seedBackoffMs, short.carpOvhMs), '—'],
];
if (long !== null) {
  rows.push(['claim at D = 30 s vs 2·D', ms(long.carpOvhMs), ms(2 * long.delayMs), ratio(long.carpOvhMs, 2 * long.delayMs), '≤ 1.05']);
  rows.push(['  seed backoff at D = 30 s vs carp-ovh', ms(long.seedBackoffMs), ms(long.carpOvhMs), ratio(long.seedBackoffMs, long.carpOvhMs), '—']);
  rows.push(['  OVH requests / max in any minute (D = 30 s)', `${long.requests} / ${long.maxRpm}`, 'max_rpm 60', ratio(long.maxRpm, 60), '≤ 1']);
}
if (seedLike !== null) {
  rows.push([
    'claim at D = 33 s (the seed log) vs 2·D',
    ms(seedLike.carpOvhMs),
    ms(2 * seedLike.delayMs),
    ratio(seedLike.carpOvhMs, 2 * seedLike.delayMs),
    '—',
  ]);
  rows.push([
    '  seed backoff at D = 33 s vs carp-ovh',
    ms(seedLike.seedBackoffMs),
    ms(seedLike.carpOvhMs),
    ratio(seedLike.seedBackoffMs, seedLike.carpOvhMs),
    '—',
  ]);
}
for (const v of vips as ManyVipsResult[]) {
  rows.push([`${v.vips} VIP(s), D = 2 s: claim vs 2·D`, ms(v.ms), ms(4000), ratio(v.ms, 4000), '—']);
  rows.push([`  OVH requests / max in any minute`, `${v.requests} / ${v.maxRpm}`, 'max_rpm 60', ratio(v.maxRpm, 60), '≤ 1']);
}
rows.push(['check, 3 probes + 0 scripts: wall / CPU', `${ms(check.noScripts.wallMs)} / ${ms(check.noScripts.cpuMs)}`, '—', '—', '—']);
rows.push([
  `check, 3 probes + 5 scripts sleeping 1 s: wall / CPU`,
  `${ms(check.fiveScripts.wallMs)} / ${ms(check.fiveScripts.cpuMs)}`,
  '1 s (one script)',
  ratio(check.fiveScripts.wallMs, 1000),
  '≤ 1.3',
]);
rows.push([
  'seal Vault → demotion written, check --every 10s',
  ms(check.sealToDemotionMs),
  ms(10_000 + check.noScripts.wallMs),
  ratio(check.sealToDemotionMs, 10_000 + check.noScripts.wallMs),
  '≤ 1',
]);
rows.push([
  'peak RSS: hook / reconcile (1 VIP) / check',
  `${kb(startup.hookRssKb)} / ${kb((vips[0] as ManyVipsResult).maxRssKb)} / ${kb(check.maxRssKb)}`,
  '—',
  '—',
  '—',
]);

const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
const table = rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ')).join('\n');
process.stdout.write(`${table}\n\nmachine: ${machine}; node ${process.version}; ${formatDuration(Date.now() - started)} in all${quick ? ' (quick)' : ''}\n`);

const markdown = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, every figure in the same run, side by side
with its reference. Machine: ${machine}. Node ${process.version}.${quick ? ' Quick run: the 30 s-delay and 32-VIP rows were skipped.' : ''}

| ${rows[0]?.join(' | ')} |
|${rows[0]?.map(() => '---').join('|')}|
${rows
  .slice(1)
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')}

How each figure is taken:

- **hook return**: wall time of \`carp-ovh hook 2@vmx1 BACKUP\` (it validates, starts the detached worker and
  returns: what devd waits for), median of ${startup.runs} runs interleaved with \`node -e 0\` on the same node binary.
- **claim at D**: the OVH simulator applies each DELETE and POST D after accepting it (the seed saw ~30 s each);
  the figure is the wall time of \`hook 2@vmx1 MASTER --wait\` — node start-up, config, Vault AppRole login
  and KV read, locate, detach, wait, attach, wait — against 2·D, what OVH alone needs. Defaults throughout:
  \`poll_interval\` 1 s, \`max_rpm\` 60. D = 1 s is the median of 3 runs.
- **seed backoff**: the seed script's algorithm (check, then sleep 1, 2, 4, 8, 16 s between checks) replayed with
  the same OVH client against its own simulator with the same D, started at the same moment. It excludes
  process start-up and the Vault login, which carp-ovh's figure includes. The backoff checks at 1, 3, 7, 15,
  31, 63 s after each mutation, so it is as good as a fixed poll when D lands just under one of those marks
  (D = 30 s) and loses up to half of D when D lands just over one: the seed's own log shows ~33 s per step.
- **VIPs**: N addresses on one vhid, all on the peer's vMAC, moved by one \`reconcile --wait\`. Address lists are
  read once per vMAC per poll and shared; each address still needs its own DELETE and POST (OVH has no batch
  call), so above ~25 VIPs the 60 requests/minute budget, not OVH's delay, sets the pace.
- **max in any minute**: counted by the simulator over a sliding 60 s window of arrivals, /auth/time included.
- **check**: \`carp-ovh check\` with the vault, ovh-api and claim probes against the simulators, with 0 and with 5
  service scripts that each sleep 1 s (run in parallel); CPU is the check process's own user + system time.
- **seal → demotion**: Vault is sealed just after a run of \`check --every 10s\` has finished (the worst case: a whole
  interval to wait); the time until the demotion sysctl write.
- **peak RSS**: maxRSS of the process, reported by a preloaded module at exit.

Decisions these figures drove:

- **No compile cache, no bundle.** The hook's fast path imports nine small modules and none of the heavy
  dependencies (ovh, node-vault, pino, ajv, yaml are loaded only by the commands that use them), so it
  already returns within the ≤ 2× goal. Node's compile cache made it slower in every run (it reads and
  hashes its cache on each start), so the CLI does not enable it; a single-file bundle was not built, as
  there is little left for it to save on this path.
- **One request per poll interval.** Waiting reads each vMAC's address list once per poll, shared by every
  address on it, and every tenth poll reads the task instead of the list. With the rate limit in front of
  every request (\`/auth/time\` included) a 30 s move stays at 60 requests in any minute.
- **32 VIPs take a minute.** Each address needs its own DELETE and POST, so past ~25 VIPs on one vhid the
  60 requests/minute budget sets the pace. Raise \`ovh.max_rpm\` only if OVH agrees to more for the key.
`;
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), markdown);
log('wrote docs/benchmarks.md');

function pickMedian(results: ConvergenceResult[]): ConvergenceResult {
  const sorted = [...results].sort((a, b) => a.carpOvhMs - b.carpOvhMs);
  return sorted[Math.floor(sorted.length / 2)] ?? (results[0] as ConvergenceResult);
}
