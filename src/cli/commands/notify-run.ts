import { NOTIFY_EVENTS, type NotifyEvent } from '../../core/notify/events.ts';
import { logTarget, openLog } from '../../log/index.ts';
import { runNotifyScripts } from '../../notify/run-scripts.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import { loadConfigOf, type CliContext } from '../wiring/context.ts';

const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Internal: started detached by a claim, a check or maintenance with one event on
 * stdin; runs the notify scripts for it and logs where the claim worker logs.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs(ctx.args, {});
  if (positionals.length > 0) throw usageError('notify-run takes no arguments (the event comes on stdin)');
  const event = parseEvent(await readStdin());
  const config = await loadConfigOf(ctx);
  const opened = await openLog(config.log, logTarget(config.log, 'worker'), { component: 'notify' });
  try {
    await runNotifyScripts(config.notify, event, opened.log);
    return 0;
  } finally {
    await opened.close();
  }
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > MAX_EVENT_BYTES) throw usageError('notify-run: the event on stdin is too long');
  }
  return text;
}

function parseEvent(text: string): NotifyEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError('notify-run: stdin is not a JSON event');
  }
  const event = value as Partial<NotifyEvent>;
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (
    typeof value !== 'object' ||
    value === null ||
    !NOTIFY_EVENTS.includes(event.event as NotifyEvent['event']) ||
    typeof event.at !== 'string' ||
    typeof event.detail !== 'string' ||
    !strings(event.keys) ||
    !strings(event.addresses) ||
    !strings(event.reasons)
  ) {
    throw usageError('notify-run: stdin is not a notify event');
  }
  return event as NotifyEvent;
}
