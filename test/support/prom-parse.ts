/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests:
 * it throws on anything a Prometheus server would reject and on what its
 * conventions forbid (a family without HELP or TYPE, samples of one family
 * split apart, a counter not named `_total`, duplicate series, bad escapes),
 * so a test that parses the output has checked it.
 */

export interface ParsedSample {
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current: string | null = null;
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const at = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') throw new Error(`${at}: empty line`);
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) throw new Error(`${at}: a comment other than HELP or TYPE`);
      const [, kind, name = '', rest = ''] = match;
      if (!NAME.test(name)) throw new Error(`${at}: invalid metric name`);
      if (current !== name) {
        if (current !== null) closed.add(current);
        if (closed.has(name)) throw new Error(`${at}: ${name} appears twice (its lines must be together)`);
        current = name;
      }
      const family = families.get(name) ?? { name, help: '', type: 'untyped' as const, samples: [] };
      families.set(name, family);
      if (family.samples.length > 0) throw new Error(`${at}: ${kind} after ${name}'s samples`);
      if (kind === 'HELP') {
        if (family.help !== '') throw new Error(`${at}: second HELP for ${name}`);
        if (rest.trim() === '') throw new Error(`${at}: empty HELP`);
        family.help = unescapeHelp(rest, at);
      } else {
        if (!TYPES.has(rest)) throw new Error(`${at}: unknown type ${rest}`);
        if ((family as { typed?: boolean }).typed === true) throw new Error(`${at}: second TYPE for ${name}`);
        (family as { typed?: boolean }).typed = true;
        family.type = rest as ParsedFamily['type'];
      }
      return;
    }
    const sample = parseSample(line, at);
    if (sample.name !== current) throw new Error(`${at}: sample of ${sample.name} outside its family's block (HELP and TYPE first)`);
    const family = families.get(sample.name);
    if (family === undefined || family.help === '' || (family as { typed?: boolean }).typed !== true)
      throw new Error(`${at}: ${sample.name} lacks HELP or TYPE`);
    const key = JSON.stringify(Object.entries(sample.labels).sort());
    if (family.samples.some((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)) throw new Error(`${at}: duplicate series`);
    family.samples.push({ labels: sample.labels, value: sample.value });
  });
  for (const family of families.values()) {
    if (family.help === '' || (family as { typed?: boolean }).typed !== true) throw new Error(`${family.name}: HELP and TYPE are both required`);
    delete (family as { typed?: boolean }).typed;
    if (family.type === 'counter') {
      if (!family.name.endsWith('_total')) throw new Error(`counter ${family.name} must end in _total`);
      for (const s of family.samples) if (!(s.value >= 0)) throw new Error(`counter ${family.name} has a negative or NaN value`);
    } else if (family.name.endsWith('_total')) {
      throw new Error(`${family.name} ends in _total but is a ${family.type}`);
    }
    if (/_(milliseconds|ms|millis)$/.test(family.name)) throw new Error(`${family.name}: base units are seconds`);
  }
  return families;
}

function parseSample(line: string, at: string): { name: string; labels: Record<string, string>; value: number } {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) throw new Error(`${at}: no metric name`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i += 1;
    while (line[i] !== '}') {
      const labelMatch = /^[^=]*/.exec(line.slice(i));
      const label = labelMatch?.[0] ?? '';
      if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`${at}: invalid label name ${JSON.stringify(label)}`);
      if (Object.hasOwn(labels, label)) throw new Error(`${at}: label ${label} twice`);
      i += label.length;
      if (line.slice(i, i + 2) !== '="') throw new Error(`${at}: expected =" after ${label}`);
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error(`${at}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new Error(`${at}: invalid escape \\${String(next)}`);
          i += 2;
          continue;
        }
        value += c;
        i += 1;
      }
      labels[label] = value;
      i += 1;
      if (line[i] === ',') i += 1;
      else if (line[i] !== '}') throw new Error(`${at}: expected , or } after a label`);
    }
    i += 1;
  }
  if (line[i] !== ' ') throw new Error(`${at}: expected one space before the value`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new Error(`${at}: expected a value and an optional timestamp`);
  const value = parseValue(parts[0] ?? '', at);
  if (parts[1] !== undefined && !/^-?[0-9]+$/.test(parts[1])) throw new Error(`${at}: invalid timestamp`);
  return { name, labels, value };
}

function parseValue(text: string, at: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text)) throw new Error(`${at}: invalid value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeHelp(text: string, at: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${at}: invalid escape in HELP`);
  });
}

/** The value of one series, or undefined when the family or the series is absent. */
export function metricValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const key = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)?.value;
}
