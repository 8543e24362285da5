import type { ChildProcess } from 'node:child_process';
import type { CommandRunner } from '../command.ts';
import type { SyslogConfig } from '../config/types.ts';

/**
 * Node cannot write the local syslog datagram socket, so lines go through
 * logger(1). FreeBSD's logger has no per-line priority prefix, so there is one
 * long-lived child per priority actually used (usually info, warning, err),
 * never one process per line. The children start through the shared command
 * runner, already loaded: write() spawns synchronously.
 */

export const PRIORITY_BY_LEVEL: Record<number, string> = {
  10: 'debug', // trace
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'err',
  60: 'crit', // fatal
};

interface ChildEntry {
  child: ChildProcess;
  ready: boolean;
  pending: string[];
}

export class SyslogSink {
  private readonly children = new Map<string, ChildEntry>();
  private broken = false;

  private readonly config: SyslogConfig;
  private readonly fallback: (line: string) => void;
  private readonly commands: CommandRunner;

  constructor(config: SyslogConfig, fallback: (line: string) => void, commands: CommandRunner) {
    this.config = config;
    this.fallback = fallback;
    this.commands = commands;
  }

  write(priority: string, line: string): void {
    // One syslog message per line: a newline inside a message would split it.
    const clean = line.replace(/[\r\n]+/g, ' ');
    if (this.broken) {
      this.fallback(clean);
      return;
    }
    const entry = this.childFor(priority);
    if (entry.ready) entry.child.stdin?.write(`${clean}\n`);
    else entry.pending.push(clean);
  }

  private childFor(priority: string): ChildEntry {
    const existing = this.children.get(priority);
    if (existing !== undefined) return existing;
    const child = this.commands.start(this.config.logger, ['-t', this.config.tag, '-p', `${this.config.facility}.${priority}`]);
    // Lines wait until the child has really started, so a missing logger(1)
    // sends them to the fallback instead of into a dead pipe.
    const entry: ChildEntry = { child, ready: false, pending: [] };
    child.once('spawn', () => {
      entry.ready = true;
      for (const line of entry.pending.splice(0)) child.stdin?.write(`${line}\n`);
    });
    child.on('error', () => {
      if (!this.broken) {
        this.broken = true;
        this.fallback(`{"level":40,"msg":"cannot run ${this.config.logger} for syslog; logging to stderr instead"}`);
      }
      for (const line of entry.pending.splice(0)) this.fallback(line);
    });
    child.stdin?.on('error', () => {});
    this.children.set(priority, entry);
    return entry;
  }

  /** Ends every child's input and waits (bounded) for it to hand the lines to syslogd. */
  async close(timeoutMs = 2000): Promise<void> {
    const waits = [...this.children.values()].map(
      (entry) =>
        new Promise<void>((resolve) => {
          const { child } = entry;
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
          const timer = setTimeout(() => {
            child.kill();
            resolve();
          }, timeoutMs);
          child.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          // Ending before 'spawn' would drop the lines still pending.
          if (entry.ready) child.stdin?.end();
          else child.once('spawn', () => child.stdin?.end());
        }),
    );
    this.children.clear();
    await Promise.all(waits);
  }
}
