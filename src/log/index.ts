import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { LogConfig } from '../config/types.ts';
import { scrubText, scrubValue } from '../redact.ts';
import { humanLine } from './format.ts';
import { PRIORITY_BY_LEVEL, SyslogSink } from './syslog.ts';

export type Log = Logger;

/** Where lines go: syslog (configured), a file (detached worker without syslog), or stderr. */
export type LogTarget = 'syslog' | 'file' | 'stderr';

/**
 * Syslog when configured. Otherwise a foreground command writes JSON lines to
 * stderr, where the operator sees them; a detached worker has no stderr, so log.file.
 */
export function logTarget(config: LogConfig, mode: 'foreground' | 'worker'): LogTarget {
  if (config.syslog !== null) return 'syslog';
  return mode === 'worker' ? 'file' : 'stderr';
}

export interface OpenLog {
  log: Log;
  /** Flushes and ends the syslog children; call before exiting. */
  close(): Promise<void>;
}

/**
 * pino with two redaction nets: formatters blank secret-named keys anywhere in
 * the object, and streamWrite cuts known secret values out of the final line.
 */
export async function openLog(config: LogConfig, target: LogTarget, bindings: Record<string, unknown> = {}): Promise<OpenLog> {
  // The default export: a bundled CommonJS module offers no named ones to import().
  const { default: pino } = await import('pino');
  const writeStderr = (line: string): void => {
    process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  };

  let sink: SyslogSink | null = null;
  let write: (line: string) => void;
  if (target === 'syslog' && config.syslog !== null) {
    const { commandRunner } = await import('../command.ts');
    const syslog = new SyslogSink(config.syslog, writeStderr, commandRunner());
    sink = syslog;
    write = (line) => {
      const record = parse(line);
      if (record === null) return syslog.write('info', line.trim());
      syslog.write(PRIORITY_BY_LEVEL[Number(record.level)] ?? 'info', humanLine(record));
    };
  } else if (target === 'file') {
    mkdirSync(dirname(config.file), { recursive: true, mode: 0o700 });
    write = (line) => appendFileSync(config.file, line, { mode: 0o600 });
  } else {
    write = writeStderr;
  }

  const log = pino(
    {
      level: config.level,
      base: { pid: process.pid, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (_label, number) => ({ level: number }),
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      serializers: { err: (error: unknown) => scrubValue(error) },
      hooks: { streamWrite: (line: string) => scrubText(line) },
    },
    { write },
  );
  return {
    log,
    close: async () => {
      log.flush?.();
      if (sink !== null) await sink.close();
    },
  };
}

function parse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
