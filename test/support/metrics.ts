/** Helpers for the metrics tests: turn metrics on for a router of the world, read what it exposes. */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeLabel } from '../../src/core/metrics/snapshot.ts';
import type { SimRequestRecord } from './ovh-sim/types.ts';
import { parseExposition, type ParsedFamily } from './prom-parse.ts';
import type { Router } from './world.ts';

/** Adds `metrics: {textfile}` (and `listen` when given) to the router's config; returns the textfile's path. */
export function enableMetrics(router: Router, options: { listen?: string } = {}): string {
  const dir = join(router.dir, 'node_exporter');
  mkdirSync(dir, { recursive: true });
  const textfile = join(dir, 'carp_ovh.prom');
  appendFileSync(router.configPath, `metrics:\n  textfile: ${textfile}\n${options.listen === undefined ? '' : `  listen: ${options.listen}\n`}`);
  return textfile;
}

/** The textfile, parsed strictly (throws on any format error). */
export function readMetrics(textfile: string): Map<string, ParsedFamily> {
  if (!existsSync(textfile)) throw new Error(`${textfile} was not written`);
  return parseExposition(readFileSync(textfile, 'utf8'));
}

/** What the OVH simulator answered, as `METHOD code` → count, the way carp_ovh_ovh_requests_total labels it. */
export function requestCounts(records: readonly SimRequestRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const key = `${r.method} ${codeLabel(r.status === 0 ? null : r.status)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** carp_ovh_ovh_requests_total as `METHOD code` → count. */
export function exposedRequestCounts(families: Map<string, ParsedFamily>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of families.get('carp_ovh_ovh_requests_total')?.samples ?? []) out[`${s.labels.method} ${s.labels.code}`] = s.value;
  return out;
}

/** Adds two count maps. */
export function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
  return out;
}
