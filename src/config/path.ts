import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH } from './types.ts';

/** `--config` wins, then CARP_OVH_CONFIG, then the FreeBSD default. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? (env.CARP_OVH_CONFIG !== undefined && env.CARP_OVH_CONFIG !== '' ? env.CARP_OVH_CONFIG : DEFAULT_CONFIG_PATH);
  return resolve(chosen);
}
