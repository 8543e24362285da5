import type { ErrorObject, ValidateFunction } from 'ajv';
import { formatPath, pointerToPath, type ConfigPath } from './locate.ts';

export interface Problem {
  path: ConfigPath;
  message: string;
}

let compiled: ValidateFunction | undefined;

/**
 * The build compiles the schema into generated/validate-config.js (see
 * scripts/gen-config-validator.ts): loading that costs a fraction of ajv's compiler.
 * A tree where it was not generated yet (a test run straight from the sources)
 * compiles the schema here.
 */
async function validator(): Promise<ValidateFunction> {
  if (compiled !== undefined) return compiled;
  try {
    compiled = (await import('./generated/validate-config.js')).default;
  } catch {
    const [{ Ajv }, { configSchema }, { AJV_OPTIONS, IPV4 }] = await Promise.all([import('ajv'), import('./schema.ts'), import('./validator-options.ts')]);
    const ajv = new Ajv(AJV_OPTIONS);
    ajv.addFormat('ipv4', IPV4);
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

/** Layer 1: the schema. Fills in defaults in place and returns one problem per offending key. */
export async function validateAgainstSchema(data: unknown): Promise<Problem[]> {
  const validate = await validator();
  if (validate(data)) return [];
  return explain(validate.errors ?? []);
}

function explain(errors: ErrorObject[]): Problem[] {
  // An anyOf failure says what was expected as a whole; its branches' errors only add noise.
  // When a deeper key inside the matching branch is wrong, that key is the better report.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const hasDeeper = (path: string): boolean => errors.some((e) => e.instancePath.startsWith(`${path}/`));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && anyOfPaths.has(error.instancePath)) continue;
    if (error.keyword === 'anyOf' && hasDeeper(error.instancePath)) continue;
    const problem = describe(error);
    const key = `${formatPath(problem.path)}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describe(error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(schema.properties ?? {});
      const guess = closest(key, known);
      const hint = guess === null ? '' : ` — did you mean '${guess}'?`;
      return { path: [...path, key], message: `unknown key${hint} (expected one of: ${known.join(', ')})` };
    }
    case 'required': {
      const key = String((error.params as { missingProperty: string }).missingProperty);
      return { path: [...path, key], message: 'missing (this key is required)' };
    }
    case 'minProperties':
    case 'maxProperties':
      return { path, message: `expected ${schema.description ?? 'a different number of keys'}` };
    default:
      return { path, message: `expected ${schema.description ?? error.message ?? 'a valid value'}, got ${show(error.data)}` };
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The known key within edit distance 2, to turn a typo into a one-glance fix. */
function closest(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? Math.max(a.length, b.length);
}
