/**
 * What the health loop costs while it runs for months: OVH and Vault requests per
 * check, CPU per check, and RSS after 50 and after N checks, measured on a real
 * `check --every` process against the simulators (one MASTER router holding the VIP).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI_PATH } from '../test/support/cli.ts';
import { type HealthTuning, tune } from '../test/support/health.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_002, startWorld } from '../test/support/world.ts';
import { median, routerEnv, runNode } from './measure.ts';
import { type BenchRow, type BenchSection, mb, mib, ratio } from './section.ts';

export interface LoopFigures {
  checks: number;
  everyMs: number;
  /** Wall time between the 50th and the last check. */
  elapsedMs: number;
  /** OVH requests between the 50th and the last check. */
  ovhRequests: number;
  ovhPerCheck: number;
  vaultPerCheck: number;
  cpuMsPerCheck: number;
  rssKbAt50: number;
  rssKbAtEnd: number;
}

interface Sample {
  cpu: number;
  rss: number;
  ovh: number;
  vault: number;
  at: number;
}

/** utime + stime of a live process, in ms (Linux /proc; USER_HZ is 100 on every Linux build we run). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssKbOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]);
}

/**
 * Starts the loop with `--json` (one line per finished check on stdout) and reads
 * the figures at the 50th and the last line: the process is measured between runs,
 * while it sleeps, so the numbers are its steady state, not a run in progress.
 */
export async function measureHealthLoop(options: {
  checks: number;
  everyMs: number;
  health?: HealthTuning;
  nodeFlags?: readonly string[];
}): Promise<LoopFigures> {
  const world = await startWorld({ label: 'bench-loop' });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: '  timeout: 10s' });
    if (options.health !== undefined) tune(router, options.health);
    const claimed = await router.hook('MASTER', { wait: true });
    if (claimed.code !== 0) throw new Error(`bench setup: claim failed: ${claimed.stderr}`);
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), CLI_PATH, '--config', router.configPath, 'check', '--json', '--every', `${options.everyMs}ms`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: routerEnv(),
      },
    );
    const pid = child.pid;
    if (pid === undefined) throw new Error('bench: check --every did not start');
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let lines = 0;
    let at50: Sample | null = null;
    let atEnd: Sample | null = null;
    const done = new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          buffer = buffer.slice(newline + 1);
          lines += 1;
          const sample = (): Sample => ({
            cpu: cpuMsOf(pid),
            rss: rssKbOf(pid),
            ovh: world.ovh.requests().length,
            vault: world.vault.requests.length,
            at: Date.now(),
          });
          if (lines === 50) at50 = sample();
          if (lines === options.checks) {
            atEnd = sample();
            resolve();
          }
          newline = buffer.indexOf('\n');
        }
      });
      child.on('close', () => reject(new Error(`bench: check --every ended after ${lines} checks`)));
    });
    try {
      await done;
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const a = at50 as unknown as Sample;
    const b = atEnd as unknown as Sample;
    const n = options.checks - 50;
    return {
      checks: options.checks,
      everyMs: options.everyMs,
      elapsedMs: b.at - a.at,
      ovhRequests: b.ovh - a.ovh,
      ovhPerCheck: (b.ovh - a.ovh) / n,
      vaultPerCheck: (b.vault - a.vault) / n,
      cpuMsPerCheck: (b.cpu - a.cpu) / n,
      rssKbAt50: a.rss,
      rssKbAtEnd: b.rss,
    };
  } finally {
    await world.close();
  }
}

/**
 * Today's behaviour, for the side-by-side rows: what one run cost before the loop kept
 * anything (and what a single cron `check` still costs): a full `check` process.
 */
async function singleCheckCost(runs: number): Promise<{ ovhPerCheck: number; vaultPerCheck: number; cpuMs: number; maxRssKb: number | null }> {
  const world = await startWorld({ label: 'bench-single-check' });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: '  timeout: 10s' });
    const claimed = await router.hook('MASTER', { wait: true });
    if (claimed.code !== 0) throw new Error(`bench setup: claim failed: ${claimed.stderr}`);
    const ovh0 = world.ovh.requests().length;
    const vault0 = world.vault.requests.length;
    const cpu: number[] = [];
    let rss: number | null = null;
    for (let i = 0; i < runs; i++) {
      const run = await runNode([CLI_PATH, '--config', router.configPath, 'check'], { instrument: true });
      if (run.code !== 0) throw new Error(`bench: check failed: ${run.stdout}${run.stderr}`);
      cpu.push(run.cpuMs ?? 0);
      rss = Math.max(rss ?? 0, run.maxRssKb ?? 0);
    }
    return {
      ovhPerCheck: (world.ovh.requests().length - ovh0) / runs,
      vaultPerCheck: (world.vault.requests.length - vault0) / runs,
      cpuMs: median(cpu),
      maxRssKb: rss,
    };
  } finally {
    await world.close();
  }
}

/** At the rc.d default, `check --every 10s`: six runs a minute. */
const RUNS_PER_MINUTE = 6;

/**
 * node's flags as the services run the loop, read from the systemd unit `carp-ovh
 * install` writes (hooks/rc.d/carp_ovh and OpenBSD's rc.d script pass the same,
 * which test/health/hooks.test.ts and the install tests check), so the bench
 * measures what is shipped.
 */
const SERVICE_NODE_FLAGS = serviceNodeFlags();
/**
 * The loop as it ran before it stopped V8 at its baseline compiler: node's default
 * tiering, chosen on the command line, which the loop leaves as it is
 * (src/cli/runtime/baseline-compiler.ts).
 */
const OPTIMIZING_FLAGS = ['--max-opt=999'];

function serviceNodeFlags(): string[] {
  const unit = readFileSync(new URL('../hooks/systemd/carp-ovh-check.service', import.meta.url), 'utf8');
  const flags = /^ExecStart=%%NODE%% (.*?) ?%%CLI%%/m.exec(unit)?.[1];
  if (flags === undefined || flags === '') throw new Error('bench: no node flags on the ExecStart line of hooks/systemd/carp-ovh-check.service');
  return flags.split(' ');
}

export const healthLoopSection: BenchSection = {
  name: 'health loop',
  async run({ quick, log }) {
    const checks = quick ? 200 : 1000;
    log(`health loop: ${checks} runs of check --every 100ms at the default intervals, beside single checks …`);
    const loop = await measureHealthLoop({ checks, everyMs: 100 });
    const asService = await measureHealthLoop({ checks, everyMs: 100, nodeFlags: SERVICE_NODE_FLAGS });
    const optimizing = await measureHealthLoop({ checks, everyMs: 100, nodeFlags: OPTIMIZING_FLAGS });
    const shortChecks = quick ? 150 : 350;
    log(
      `health loop: ${shortChecks} runs reading the platform at every run, and ${shortChecks} at the rc.d default's proportions (without and with the service's flags) …`,
    );
    // What the loop did before it kept its platform reads: ifconfig and sysctl at every run.
    const everyRead = await measureHealthLoop({ checks: shortChecks, everyMs: 100, health: { platform_interval: '0s' } });
    // The rc.d default (every 10s, intervals 1m) with time scaled by 1/100: one run in six reads OVH and the platform.
    const rcdProportions: HealthTuning = { ovh_interval: '600ms', claim_interval: '600ms', platform_interval: '600ms' };
    const scaled = await measureHealthLoop({ checks: shortChecks, everyMs: 100, health: rcdProportions });
    const scaledAsService = await measureHealthLoop({ checks: shortChecks, everyMs: 100, health: rcdProportions, nodeFlags: SERVICE_NODE_FLAGS });
    const single = await singleCheckCost(5);
    const serviceGrowth = asService.rssKbAtEnd / asService.rssKbAt50;
    const optimizingGrowth = optimizing.rssKbAtEnd / optimizing.rssKbAt50;
    const service = SERVICE_NODE_FLAGS.join(' ');
    const optimizingFlags = OPTIMIZING_FLAGS.join(' ');
    const loopOvhPerMinute = loop.ovhRequests / (loop.elapsedMs / 60_000);
    const loopVaultPerMinute = loop.vaultPerCheck * RUNS_PER_MINUTE;
    const todayOvhPerMinute = single.ovhPerCheck * RUNS_PER_MINUTE;
    const todayVaultPerMinute = single.vaultPerCheck * RUNS_PER_MINUTE;
    const growth = loop.rssKbAtEnd / loop.rssKbAt50;
    const rows: BenchRow[] = [
      [
        'loop (MASTER): OVH requests / minute',
        loopOvhPerMinute.toFixed(1),
        `${todayOvhPerMinute.toFixed(1)} (a full check every 10 s)`,
        ratio(loopOvhPerMinute, todayOvhPerMinute),
        '≤ 3 per router',
      ],
      [
        'loop: Vault requests / minute at --every 10s',
        loopVaultPerMinute.toFixed(1),
        `${todayVaultPerMinute.toFixed(1)} (login, read, revoke)`,
        ratio(loopVaultPerMinute, todayVaultPerMinute),
        '—',
      ],
      [
        'loop: CPU per run (steady state)',
        `${loop.cpuMsPerCheck.toFixed(1)} ms`,
        `${single.cpuMs.toFixed(0)} ms (a check process)`,
        ratio(loop.cpuMsPerCheck, single.cpuMs),
        '≤ 10 ms',
      ],
      [
        '  reading the platform at every run (platform_interval 0s)',
        `${everyRead.cpuMsPerCheck.toFixed(1)} ms`,
        `${loop.cpuMsPerCheck.toFixed(1)} ms (steady state)`,
        ratio(everyRead.cpuMsPerCheck, loop.cpuMsPerCheck),
        '—',
      ],
      [
        '  at the rc.d default, time scaled: one run in six reads OVH and the platform',
        `${scaled.cpuMsPerCheck.toFixed(1)} ms`,
        `${everyRead.cpuMsPerCheck.toFixed(1)} ms (platform at every run)`,
        ratio(scaled.cpuMsPerCheck, everyRead.cpuMsPerCheck),
        '≤ 10 ms',
      ],
      [
        `  the same, as the service runs it (${service})`,
        `${scaledAsService.cpuMsPerCheck.toFixed(1)} ms`,
        `${scaled.cpuMsPerCheck.toFixed(1)} ms (no flags)`,
        ratio(scaledAsService.cpuMsPerCheck, scaled.cpuMsPerCheck),
        '≤ 10 ms',
      ],
      [
        `loop: RSS after 50 → after ${checks} runs`,
        `${mib(loop.rssKbAt50)} → ${mib(loop.rssKbAtEnd)} (${mb(loop.rssKbAtEnd)})`,
        `${mib(single.maxRssKb)} (peak of one check)`,
        growth.toFixed(2),
        '≤ 1.15, < 80 MB',
      ],
      [
        `  the same with V8's optimizing compilers (${optimizingFlags}, as before the loop stopped them): RSS; CPU per run`,
        `${mib(optimizing.rssKbAt50)} → ${mib(optimizing.rssKbAtEnd)} (${mb(optimizing.rssKbAtEnd)}); ${optimizing.cpuMsPerCheck.toFixed(1)} ms`,
        `${mib(loop.rssKbAt50)} → ${mib(loop.rssKbAtEnd)}; ${loop.cpuMsPerCheck.toFixed(1)} ms (no flags)`,
        optimizingGrowth.toFixed(2),
        '—',
      ],
      [
        `loop as the service runs it (${service}): CPU per run; RSS after 50 → after ${checks}`,
        `${asService.cpuMsPerCheck.toFixed(1)} ms; ${mib(asService.rssKbAt50)} → ${mib(asService.rssKbAtEnd)}`,
        `${loop.cpuMsPerCheck.toFixed(1)} ms; ${mib(loop.rssKbAt50)} → ${mib(loop.rssKbAtEnd)} (no flags)`,
        serviceGrowth.toFixed(2),
        '—',
      ],
    ];
    const verdict = (ok: boolean): string => (ok ? 'meets' : 'misses');
    return {
      rows,
      method: [
        `**health loop**: one MASTER router holding the VIP runs \`check --json --every 100ms\` with the default \`health.ovh_interval\` and \`claim_interval\` (1 min); figures are taken between its 50th and ${checks}th run, while it sleeps: CPU from /proc (user + system), RSS from /proc, requests from the simulators' logs. OVH requests are counted over the wall time (they follow the 1 min intervals, not the runs); Vault requests per run × 6 give the rate at the rc.d default of 10 s.`,
        `**platform at every run / rc.d proportions**: the same loop over ${shortChecks} runs, once with \`health.platform_interval: 0s\` (ifconfig and sysctl at every run, as before the loop kept its reads), once with \`ovh_interval\`, \`claim_interval\` and \`platform_interval\` at 600 ms: with runs every 100 ms that is the rc.d default (every 10 s, intervals 1 min) with time divided by 100, so the CPU per run includes the OVH read and the platform reads in the proportion a router pays them.`,
        `**no flags / as the service runs it**: without node flags the loop stops V8 at its baseline compiler itself; the same loop with node's flags from the service definitions (\`${service}\`, heap flags, a second line of defence: the memory goals are without them), and with node's default tiering chosen on the command line (\`${optimizingFlags}\`, which the loop leaves as it is), for the loop as it ran before.`,
        '**today**: five single `carp-ovh check` processes against the same simulators — what each run of the loop cost before it kept its clients and token, and what a cron check still costs.',
      ],
      decisions: [
        `The loop sent ${loopOvhPerMinute.toFixed(1)} OVH requests a minute from a MASTER against ${todayOvhPerMinute.toFixed(1)} for a full check every 10 s: it ${verdict(loopOvhPerMinute <= 3)} the ≤ 3 per router (≤ 6 per pair) budget.`,
        `Vault: ${loop.vaultPerCheck.toFixed(2)} requests per run (one lookup-self) against ${single.vaultPerCheck.toFixed(1)} (login, read, revoke).`,
        `CPU per run: ${loop.cpuMsPerCheck.toFixed(1)} ms while nothing is due (${verdict(loop.cpuMsPerCheck <= 10)} the ≤ 10 ms goal); ${scaled.cpuMsPerCheck.toFixed(1)} ms at the rc.d default's proportions, where one run in six reads OVH and the platform (${verdict(scaled.cpuMsPerCheck <= 10)} it), ${scaledAsService.cpuMsPerCheck.toFixed(1)} ms so as the service runs it (${verdict(scaledAsService.cpuMsPerCheck <= 10)} it). Reading the platform at every run costs ${everyRead.cpuMsPerCheck.toFixed(1)} ms a run: its two spawns (ifconfig, sysctl) are most of that.`,
        `Without node flags RSS went from ${mib(loop.rssKbAt50)} to ${mib(loop.rssKbAtEnd)} (${mb(loop.rssKbAtEnd)}) over ${checks - 50} runs (×${growth.toFixed(2)}): it ${verdict(growth <= 1.15)} the ≤ 15 % growth goal and ${verdict(loop.rssKbAtEnd * 1024 < 80e6)} the < 80 MB goal.`,
        `With V8's optimizing compilers (${optimizingFlags}, the loop before it stopped them): ${mib(optimizing.rssKbAt50)} → ${mib(optimizing.rssKbAtEnd)} (${mb(optimizing.rssKbAtEnd)}, ×${optimizingGrowth.toFixed(2)}) at ${optimizing.cpuMsPerCheck.toFixed(1)} ms per run.`,
        `As the service runs it (${service}): ${mib(asService.rssKbAt50)} → ${mib(asService.rssKbAtEnd)} (×${serviceGrowth.toFixed(2)}) at ${asService.cpuMsPerCheck.toFixed(1)} ms per run.`,
      ],
    };
  },
};

if (import.meta.main) {
  const checks = Number(process.argv[2] ?? 200);
  const everyMs = Number(process.argv[3] ?? 100);
  console.log(JSON.stringify(await measureHealthLoop({ checks, everyMs })));
}
