/**
 * The Prometheus text exposition format (version 0.0.4), which node_exporter's
 * textfile collector and every Prometheus server read: per family one HELP and
 * one TYPE line, then its samples, label values escaped, a newline at the end.
 */

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Renders families in the order given; a malformed family is a programming error and throws. */
export function render(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    checkFamily(family, seen);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${renderLabels(sample.labels)} ${renderValue(sample.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function checkFamily(family: MetricFamily, seen: Set<string>): void {
  if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${JSON.stringify(family.name)}`);
  if (seen.has(family.name)) throw new Error(`metric ${family.name} rendered twice`);
  seen.add(family.name);
  // Prometheus' naming rules: a counter's name ends in _total, and only a counter's does.
  if ((family.type === 'counter') !== family.name.endsWith('_total')) throw new Error(`metric ${family.name}: only counters end in _total`);
  const sets = new Set<string>();
  for (const sample of family.samples) {
    for (const name of Object.keys(sample.labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`metric ${family.name}: invalid label name ${JSON.stringify(name)}`);
    }
    const key = renderLabels(sample.labels);
    if (sets.has(key)) throw new Error(`metric ${family.name}: two samples with labels ${key}`);
    sets.add(key);
    if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`counter ${family.name} cannot be ${sample.value}`);
  }
}

function renderLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** In a label value: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** In HELP text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
