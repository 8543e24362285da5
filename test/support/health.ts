/**
 * Helpers for the health tests: routers of the simulated world with health
 * settings of their own, service scripts, and the state files the check keeps.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from './cli.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, stderrLines, type Router, type RouterSpec, type World } from './world.ts';

export const BIT = 1_048_576;

export interface HealthTuning {
  fall?: number;
  rise?: number;
  claim_hold?: string;
  probe_timeout?: string;
  script_timeout?: string;
  ovh_interval?: string;
  claim_interval?: string;
  platform_interval?: string;
  secret_refresh?: string;
}

/**
 * Shorter than the defaults, yet roomy on a loaded 2-CPU machine; tests of a
 * timeout set their own, shorter one.
 */
export const FAST: HealthTuning = { probe_timeout: '20s', script_timeout: '20s' };

/** Quick polls; timeouts and deadline roomy enough for a loaded machine (no test here waits them out). */
const OVH_TUNING = `  timeout: 5s
  poll_interval: 20ms
  deadline: 20s
  max_rpm: 6000
  retries: 1`;

let counter = 0;

/** A router of the world whose config carries `tuning` under `health:`. */
export function healthRouter(world: World, spec: Partial<RouterSpec> & { tuning?: HealthTuning } = {}): Router {
  const { tuning, ...rest } = spec;
  const router = world.router({
    name: `router-h${++counter}`,
    mac: SEED_MAC_ROUTER_002,
    ownAddress: '178.32.70.110',
    state: 'BACKUP',
    ovhExtra: OVH_TUNING,
    ...rest,
  });
  tune(router, { ...FAST, ...tuning });
  return router;
}

/** router-002 as the world's seed has it, but MASTER-capable with a name of its own. */
export function peerOf(world: World, name: string, state: 'MASTER' | 'BACKUP', tuning: HealthTuning = {}): Router {
  const mac = name.endsWith('003') ? SEED_MAC_ROUTER_003 : SEED_MAC_ROUTER_002;
  const ownAddress = mac === SEED_MAC_ROUTER_003 ? '178.32.70.111' : '178.32.70.110';
  const router = world.router({ name, mac, ownAddress, state, ovhExtra: OVH_TUNING });
  tune(router, { ...FAST, ...tuning });
  return router;
}

export function tune(router: Router, tuning: HealthTuning): void {
  const text = readFileSync(router.configPath, 'utf8');
  const lines = Object.entries(tuning)
    .filter(([key]) => key !== 'claim_hold')
    .map(([key, value]) => `  ${key}: ${String(value)}\n`)
    .join('');
  const hold = tuning.claim_hold ?? '2s';
  writeFileSync(router.configPath, text.replace(/  claim_hold: 2s\n/, `  claim_hold: ${hold}\n${lines}`));
}

/** An executable in the router's health.scripts directory. */
export function writeScript(router: Router, name: string, body: string, mode = 0o755): string {
  const path = join(router.dir, 'service-status.d', name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

export function secretsmithPath(router: Router): string {
  return join(router.dir, 'carp-secretsmith.yaml');
}

export interface ProbeJson {
  name: string;
  ok: boolean;
  skipped?: boolean;
  detail: string;
  durationMs: number;
}

export interface CheckJson {
  at: string;
  healthy: boolean;
  durationMs: number;
  probes: ProbeJson[];
  demotion: {
    total: number;
    ours: boolean;
    changed: 'demoted' | 'promoted' | null;
    reasons: Record<string, { since: string; detail: string; by?: string }>;
    readAt: string;
  } | null;
  error?: string;
}

/**
 * The report's demotion without its `readAt`, which a single check must have
 * taken during its own run (it reads the platform; only the loop reuses a reading).
 */
export function freshDemotion(report: CheckJson): Omit<NonNullable<CheckJson['demotion']>, 'readAt'> | null {
  if (report.demotion === null) return null;
  const { readAt, ...rest } = report.demotion;
  if (!(Date.parse(readAt) >= Date.parse(report.at))) throw new Error(`the demotion was read at ${readAt}, before the check started at ${report.at}`);
  return rest;
}

export function readState<T>(router: Router, file: string): T | null {
  const path = join(router.stateDir, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

export function lastCheck(router: Router): CheckJson | null {
  return readState<CheckJson>(router, 'last-check.json');
}

export function reasonsOf(router: Router): Record<string, { since: string; detail: string; by?: string }> {
  return readState<{ reasons: Record<string, { since: string; detail: string; by?: string }> }>(router, 'demotion.json')?.reasons ?? {};
}

/** `check --json`, parsed; the raw result rides along for assertion messages. */
export async function checkJson(router: Router, options: { timeoutMs?: number } = {}): Promise<{ result: CliResult; report: CheckJson; context: string }> {
  const result = await router.cli(['check', '--json'], { timeoutMs: options.timeoutMs ?? 20_000 });
  const context = `\n--- exit ${String(result.code)}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  let report: CheckJson;
  try {
    report = JSON.parse(result.stdout) as CheckJson;
  } catch {
    throw new Error(`check --json printed no JSON${context}`);
  }
  return { result, report, context };
}

export function probe(report: CheckJson, name: string): ProbeJson {
  const found = report.probes.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no probe ${name} in ${JSON.stringify(report.probes)}`);
  return found;
}

export function logMessages(result: CliResult): string[] {
  return stderrLines(result.stderr).map((line) => String(line.msg));
}

/**
 * Rewrites health.claim_hold in the router's config: a test first checks with a
 * hold nothing can outlast, then shortens it to see the reason clear, with no
 * race against a busy machine's clock.
 */
export function setClaimHold(router: Router, hold: string): void {
  const text = readFileSync(router.configPath, 'utf8');
  writeFileSync(router.configPath, text.replace(/^  claim_hold: \S+$/m, `  claim_hold: ${hold}`));
}
