import { loadConfig, resolveConfigPath } from '../../config/load.ts';
import type { Config } from '../../config/types.ts';
import { availability } from './adapters.ts';

export interface Output {
  write(text: string): void;
}

export interface CliContext {
  /** The command's own arguments (global options removed). */
  args: string[];
  configFlag: string | undefined;
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /**
   * Absolute path of the CLI entry, symlinks resolved (npm links a bin to it): the
   * program detached workers run, install writes and doctor looks for.
   */
  cliPath: string;
}

export function configPathOf(ctx: CliContext): string {
  return resolveConfigPath(ctx.configFlag, ctx.env);
}

export async function loadConfigOf(ctx: CliContext): Promise<Config> {
  return loadConfig(configPathOf(ctx), { available: availability() });
}
