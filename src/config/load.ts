import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { CarpOvhError } from '../errors.ts';
import { formatPath, lineOf } from './locate.ts';
import { normalise } from './normalise.ts';
import { resolveConfigPath } from './path.ts';
import { crossFieldProblems, type Availability } from './rules.ts';
import type { Config } from './types.ts';
import { validateAgainstSchema, type Problem } from './validate.ts';

export { resolveConfigPath };

export interface LoadOptions {
  /** The platform kinds and vias this build wires; a config naming another is refused. */
  available?: Availability;
}

/**
 * Reads, validates and normalises a config file. Every problem found is reported
 * at once as `FILE:LINE: key: expected …`, so one edit fixes them all.
 */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new CarpOvhError(`cannot read config ${path}: ${why} (use --config PATH or CARP_OVH_CONFIG)`, {
      source: 'config',
      badInput: true,
      file: path,
      problems: [`${path}: cannot read: ${why}`],
    });
  }

  const lines = new LineCounter();
  // logLevel 'error': a mapping used as a key would otherwise make yaml print a node warning
  // quoting it to stderr; the schema reports it as an unknown key, with its line, instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const line = lines.linePos(error.pos[0]).line;
      return `${path}:${line}: YAML syntax: ${firstLine(error.message)}`;
    });
    throw invalid(path, problems);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml throws a plain ReferenceError on an alias bomb ("billion laughs").
    throw invalid(path, [`${path}:1: YAML aliases: ${firstLine(error instanceof Error ? error.message : String(error))}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(path, [`${path}:1: (top level): expected a mapping with ovh and failover keys`]);
  }

  const render = (problems: Problem[]): string[] =>
    problems
      .map((problem) => ({ line: lineOf(doc, lines, problem.path), problem }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      .map(({ line, problem }) => `${path}:${line ?? '?'}: ${formatPath(problem.path)}: ${problem.message}`);

  const schemaProblems = await validateAgainstSchema(raw);
  if (schemaProblems.length > 0) throw invalid(path, render(schemaProblems));

  const config = normalise(raw, path);
  const ruleProblems = crossFieldProblems(config, raw, options.available);
  if (ruleProblems.length > 0) throw invalid(path, render(ruleProblems));
  return config;
}

function invalid(path: string, problems: string[]): CarpOvhError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new CarpOvhError(`invalid config ${path} (${count}):\n  ${problems.join('\n  ')}`, {
    source: 'config',
    badInput: true,
    file: path,
    problems,
  });
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
