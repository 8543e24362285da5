import type { StatusDeps } from '../../core/status.ts';
import { watchStatus } from '../../core/status-watch.ts';
import { formatDuration } from '../../duration.ts';
import { scrubText } from '../../redact.ts';
import type { CliContext } from '../wiring/context.ts';
import { formatStatus } from './status-output.ts';
import { paintFor } from './text.ts';

const INTERVAL_MS = 1000;
/** Where OVH routes the VIPs is asked at most this often (a Vault login and several OVH requests each time). */
const PLACEMENT_EVERY_MS = 10_000;
const CLEAR = '\u001b[H\u001b[2J';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

/**
 * `status --watch`: redraws every second until SIGINT or SIGTERM (exit 0). On a
 * terminal the screen is cleared and the cursor hidden while it runs, and shown
 * again however it ends; elsewhere each report follows the last.
 */
export async function watch(ctx: CliContext, deps: StatusDeps): Promise<number> {
  const tty = process.stdout.isTTY === true;
  const paint = paintFor(tty, ctx.env);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const restore = (): void => {
    if (tty) process.stdout.write(SHOW_CURSOR);
  };
  process.on('exit', restore);
  if (tty) ctx.stdout.write(HIDE_CURSOR);
  try {
    await watchStatus(deps, {
      intervalMs: INTERVAL_MS,
      placementEveryMs: PLACEMENT_EVERY_MS,
      signal: stop.signal,
      draw: (report, ageMs) => {
        const age = ageMs === null ? '' : `placement at OVH as of ${formatDuration(ageMs)} ago (asked every ${formatDuration(PLACEMENT_EVERY_MS)}); `;
        const footer = `${age}every ${formatDuration(INTERVAL_MS)}, Ctrl-C to stop\n`;
        ctx.stdout.write(scrubText(`${tty ? CLEAR : ''}${formatStatus(report, Date.now(), paint)}${footer}${tty ? '' : '\n'}`));
      },
    });
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    restore();
    process.off('exit', restore);
  }
}
