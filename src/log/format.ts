/**
 * Syslog lines are read by people (`tail -f /var/log/messages`), so they carry
 * the message first and the facts as key=value after it, not a JSON blob.
 */
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

export function humanLine(record: Record<string, unknown>): string {
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const facts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (SKIP.has(key) || value === undefined) continue;
    facts.push(`${key}=${render(value)}`);
  }
  return facts.length === 0 ? msg : `${msg} ${facts.join(' ')}`;
}

function render(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
