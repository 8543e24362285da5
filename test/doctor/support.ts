/** Shared by the doctor, status and install tests: the JSON schemas, and reading doctor --json. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { CliResult } from '../support/cli.ts';
import type { Router } from '../support/world.ts';

const validators = new Map<string, ValidateFunction>();

/** Validates against docs/<name>.schema.json, as an operator's tooling would. */
export function assertSchema(name: 'doctor' | 'status', value: unknown): void {
  let validate = validators.get(name);
  if (validate === undefined) {
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    validate = ajv.compile(JSON.parse(readFileSync(new URL(`../../docs/${name}.schema.json`, import.meta.url), 'utf8')) as object);
    validators.set(name, validate);
  }
  assert.ok(validate(value), `${name} output does not follow docs/${name}.schema.json: ${JSON.stringify(validate.errors, null, 2)}`);
}

export interface DoctorCheck {
  id: string;
  group: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}

export interface DoctorJson {
  ok: boolean;
  summary: Record<string, number>;
  checks: DoctorCheck[];
}

export function doctorJson(result: CliResult): DoctorJson {
  let parsed: DoctorJson;
  try {
    parsed = JSON.parse(result.stdout) as DoctorJson;
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  assertSchema('doctor', parsed);
  return parsed;
}

export function checkOf(report: DoctorJson, id: string): DoctorCheck {
  const found = report.checks.find((check) => check.id === id);
  assert.ok(found !== undefined, `no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** The ids of the checks that failed: each broken setup must fail exactly where it is broken. */
export function failing(report: DoctorJson): string[] {
  return report.checks.filter((check) => check.status === 'fail').map((check) => check.id);
}

/** A recent healthy `check` in the router's state dir, so that doctor's history checks pass. */
export function writeHealthyCheck(router: Pick<Router, 'stateDir'>): void {
  mkdirSync(router.stateDir, { recursive: true, mode: 0o700 });
  const at = new Date().toISOString();
  const probes = ['vault', 'ovh-api', 'claim'].map((name) => ({ name, ok: true, detail: 'ok', durationMs: 5 }));
  writeFileSync(join(router.stateDir, 'last-check.json'), JSON.stringify({ at, healthy: true, durationMs: 20, probes, demotion: null }));
}
