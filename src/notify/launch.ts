import type { CommandRunner } from '../command.ts';
import type { Notifier, NotifyEvent } from '../core/notify/events.ts';
import type { LogPort } from '../core/ports/index.ts';
import { scrubText } from '../redact.ts';

/**
 * Hands each event to a detached `carp-ovh notify-run` process, which runs the
 * notify scripts and enforces their timeout: the claim or check that raised the
 * event goes on at once, and a process that ends right after it (the claim
 * worker, a cron check) does not take the timeout with it. No shell anywhere;
 * started through the shared command runner, loaded beforehand, so notify()
 * stays synchronous.
 */

export interface LaunchOptions {
  /** node, and the CLI entry to run `notify-run` with. */
  execPath: string;
  cliPath: string;
  configPath: string;
  log: LogPort;
  /** At most this many notify-run processes of this process at once; further events are dropped and logged. */
  maxInFlight: number;
  commands: CommandRunner;
}

export function launchingNotifier(options: LaunchOptions): Notifier {
  let inFlight = 0;
  return {
    notify(event: NotifyEvent): void {
      if (inFlight >= options.maxInFlight) {
        options.log.warn({ event: event.event }, `notify: ${inFlight} notifications still running; not sending ${event.event}`);
        return;
      }
      try {
        const child = options.commands.start(options.execPath, [options.cliPath, 'notify-run', '--config', options.configPath], {
          detached: true,
          cwd: '/',
          // The supervisor needs no secret from our environment (it reads the config itself).
          env: { PATH: process.env.PATH ?? '/sbin:/bin:/usr/sbin:/usr/bin', ...(process.env.CARP_OVH_DEBUG === '1' ? { CARP_OVH_DEBUG: '1' } : {}) },
        });
        inFlight += 1;
        // A child that cannot start emits 'error' and never 'exit': either one frees its slot, once.
        let ended = false;
        const end = (): void => {
          if (ended) return;
          ended = true;
          inFlight -= 1;
        };
        child.once('exit', end);
        child.once('error', (error) => {
          end();
          options.log.warn({ event: event.event, err: { message: error.message } }, `notify: cannot start notify-run: ${error.message}`);
        });
        child.stdin?.on('error', () => undefined);
        child.stdin?.end(scrubText(JSON.stringify(event)));
        child.unref();
      } catch (error) {
        options.log.warn({ event: event.event, err: { message: String(error) } }, `notify: cannot start notify-run: ${String(error)}`);
      }
    },
  };
}
