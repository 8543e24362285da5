import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './tmp.ts';

/** The built CLI, run the way devd and cron run it: a real subprocess. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * The least config `hook 2@vmx1 BACKUP` runs on (the hook start-up bench and the
 * fast-path test): vhid 2 on vmx1, a credentials file that is never read on a
 * BACKUP event, state and log in `dir`. Returns the config's path.
 */
export function writeMinimalHookConfig(dir: string): string {
  mkdirSync(join(dir, 'state'), { recursive: true });
  const config = join(dir, 'carp-ovh.yaml');
  writeFileSync(
    config,
    `ovh:\n  credentials: { file: ${join(dir, 'none.yaml')} }\n` +
      'failover:\n  - { vhid: 2, interface: vmx1, addresses: [192.0.2.10], server: ns1.example }\n' +
      `state_dir: ${join(dir, 'state')}\nlog: { syslog: false, file: ${join(dir, 'log')} }\n`,
  );
  return config;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Where captured output is saved for the secret scan; a fresh temp dir by default. */
  captureDir?: string;
  /** The CLI's working directory; the test runner's by default. */
  cwd?: string;
  /** The entry as node is given it (a relative path, say); CLI_PATH by default. */
  entry?: string;
}

/**
 * The least keepalived config (`hook` with keepalived's arguments, install and
 * doctor): instance VI_1 on eth0, a credentials file that is never there, an OVH
 * URL on a closed loopback port, state, track file and log in `dir`.
 */
export function writeMinimalKeepalivedConfig(dir: string): { path: string; stateDir: string } {
  const stateDir = join(dir, 'state');
  const path = join(dir, 'carp-ovh.yaml');
  writeFileSync(
    path,
    `ovh:\n  url: https://127.0.0.1:9/1.0\n  credentials:\n    file: ${join(dir, 'keys.yaml')}\nfailover:\n  - vrrp_instance: VI_1\n    interface: eth0\n    addresses: [198.51.100.10]\n    server: ns3000000.ip-1-2-3.eu\nplatform:\n  kind: keepalived\n  ip: /nonexistent/ip\n  track_file: ${join(dir, 'track')}\nstate_dir: ${stateDir}\nlog:\n  syslog: false\n  file: ${join(dir, 'log')}\n`,
  );
  return { path, stateDir };
}

let counter = 0;

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', ...options.env };
  const child = spawn(process.execPath, [options.entry ?? CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const result = { code, signal, stdout, stderr, durationMs: performance.now() - started };
  const dir = options.captureDir ?? makeTempDir('cli-output');
  writeFileSync(
    join(dir, `cli-${process.pid}-${++counter}.out`),
    `argv: ${JSON.stringify(args)}\ncode: ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n`,
  );
  return result;
}
