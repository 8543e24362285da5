/**
 * What the health loop costs while it runs for months: OVH and Vault requests per
 * check, CPU per check, and RSS after 50 and after N checks, measured on a real
 * `check --every` process against the simulators (one MASTER router holding the VIP).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI_PATH } from '../test/support/cli.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_002, startWorld } from '../test/support/world.ts';

export interface LoopFigures {
  checks: number;
  everyMs: number;
  ovhPerCheck: number;
  vaultPerCheck: number;
  cpuMsPerCheck: number;
  rssKbAt50: number;
  rssKbAtEnd: number;
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
export async function measureHealthLoop(options: { checks: number; everyMs: number; configExtra?: string; env?: NodeJS.ProcessEnv }): Promise<LoopFigures> {
  const world = await startWorld({ label: 'bench-loop' });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: '  timeout: 10s' });
    const claimed = await router.hook('MASTER', { wait: true });
    if (claimed.code !== 0) throw new Error(`bench setup: claim failed: ${claimed.stderr}`);
    const child = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', '--json', '--every', `${options.everyMs}ms`], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...options.env },
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('bench: check --every did not start');
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let lines = 0;
    let at50: { cpu: number; rss: number; ovh: number; vault: number } | null = null;
    let atEnd: { cpu: number; rss: number; ovh: number; vault: number } | null = null;
    const done = new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          buffer = buffer.slice(newline + 1);
          lines += 1;
          const sample = () => ({ cpu: cpuMsOf(pid), rss: rssKbOf(pid), ovh: world.ovh.requests().length, vault: world.vault.requests.length });
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
    const a = at50 as unknown as { cpu: number; rss: number; ovh: number; vault: number };
    const b = atEnd as unknown as { cpu: number; rss: number; ovh: number; vault: number };
    const n = options.checks - 50;
    return {
      checks: options.checks,
      everyMs: options.everyMs,
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

if (import.meta.main) {
  const checks = Number(process.argv[2] ?? 200);
  const everyMs = Number(process.argv[3] ?? 100);
  console.log(JSON.stringify(await measureHealthLoop({ checks, everyMs })));
}
