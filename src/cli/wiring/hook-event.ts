import { resolveConfigPath } from '../../config/path.ts';
import { peekPlatformKind } from '../../config/peek-kind.ts';
import type { HookArgsModule, HookEvent } from '../../core/ports/index.ts';
import { newSequence } from '../../core/events.ts';
import { CarpOvhError } from '../../errors.ts';
import type { CliContext } from './context.ts';
import { startWorker } from './detach.ts';

/**
 * The event a platform's trigger hands the hook, in its own argument form
 * (src/platform/<kind>/hook-args.ts, the only platform module loaded here). The
 * parser is found by that folder convention, not through the adapter table, so
 * the hook's fast path bundles the three small parsers and none of the adapters.
 */
export async function readHookEvent(configFlag: string | undefined, env: NodeJS.ProcessEnv, positionals: string[]): Promise<HookEvent> {
  const kind = await peekPlatformKind(resolveConfigPath(configFlag, env));
  let parser: HookArgsModule;
  try {
    parser = (await import(`../../platform/${kind}/hook-args.ts`)) as HookArgsModule;
  } catch (error) {
    throw new CarpOvhError(`platform.kind: ${kind} is not available in this build`, { source: 'cli', badInput: true, cause: error });
  }
  return parser.parseHookArgs(positionals);
}

/** Stamps the event now (its place in the order of events) and hands it to a detached worker: devd is waiting. */
export function handOff(ctx: Pick<CliContext, 'cliPath' | 'configFlag' | 'env'>, event: HookEvent): void {
  startWorker(ctx, ['--seq', newSequence().toString(), event.key, event.state]);
}
