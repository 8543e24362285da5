import { spawn, type ChildProcess } from 'node:child_process';
import type { SyslogConfig } from '../config/types.ts';

/**
 * Node cannot write the local syslog datagram socket, so lines go through
 * logger(1). FreeBSD's logger has no per-line priority prefix, so there is one
 * long-lived child per priority actually used (usually info, warning, err),
 * never one process per line.
 */

export const PRIORITY_BY_LEVEL: Record<number, string> = {
  10: 'debug', // trace
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'err',
  60: 'crit', // fatal
};

export class SyslogSink {
  private readonly children = new Map<string, ChildProcess>();
  private broken = false;

  private readonly config: SyslogConfig;
  private readonly fallback: (line: string) => void;

  constructor(config: SyslogConfig, fallback: (line: string) => void) {
    this.config = config;
    this.fallback = fallback;
  }

  write(priority: string, line: string): void {
    if (this.broken) {
      this.fallback(line);
      return;
    }
    const child = this.childFor(priority);
    if (child?.stdin === null || child?.stdin === undefined || child.stdin.destroyed) {
      this.fallback(line);
      return;
    }
    // One syslog message per line: a newline inside a message would split it.
    child.stdin.write(`${line.replace(/[\r\n]+/g, ' ')}\n`);
  }

  private childFor(priority: string): ChildProcess | undefined {
    const existing = this.children.get(priority);
    if (existing !== undefined) return existing;
    const child = spawn(this.config.logger, ['-t', this.config.tag, '-p', `${this.config.facility}.${priority}`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      shell: false,
    });
    child.on('error', () => {
      // logger(1) missing or not executable: keep the lines rather than lose them.
      if (!this.broken) {
        this.broken = true;
        this.fallback(`{"level":40,"msg":"cannot run ${this.config.logger} for syslog; logging to stderr instead"}`);
      }
    });
    child.stdin?.on('error', () => {});
    this.children.set(priority, child);
    return child;
  }

  /** Ends every child's input and waits (bounded) for it to hand the lines to syslogd. */
  async close(timeoutMs = 2000): Promise<void> {
    const waits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            child.kill();
            resolve();
          }, timeoutMs);
          child.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          child.stdin?.end();
        }),
    );
    this.children.clear();
    await Promise.all(waits);
  }
}
