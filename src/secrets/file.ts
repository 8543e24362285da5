import { open, type FileHandle } from 'node:fs/promises';
import type { OvhCredentials, SecretSource } from '../core/ports/index.ts';
import { CarpOvhError } from '../errors.ts';
import { looseModeMessage } from './file-mode.ts';
import { missingOvhKeys, OVH_KEY_NAMES, toOvhCredentials } from './ovh-keys.ts';
import { isRecord, parseSecretYaml } from './yaml-file.ts';

/**
 * OVH credentials from a local YAML file (application_key, application_secret,
 * consumer_key). The file must be private (mode 0600 or stricter): a readable
 * copy of the consumer key lets anyone move the VIP.
 */
export function createFileSource(path: string): SecretSource {
  return {
    description: `file ${path}`,
    readOvhCredentials: (options) => readCredentialsFile(path, options?.signal),
  };
}

async function readCredentialsFile(path: string, signal?: AbortSignal): Promise<OvhCredentials> {
  if (signal?.aborted === true) {
    throw new CarpOvhError(`reading ${path} was cancelled`, { source: 'secrets', isCanceled: true, file: path });
  }
  const fail = (message: string, errorCode?: string): CarpOvhError =>
    new CarpOvhError(message, { source: 'secrets', badInput: true, file: path, ...(errorCode === undefined ? {} : { errorCode }) });

  let text: string;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw fail(`cannot read credentials file ${path} (${code})`, code);
  }
  try {
    // Checked on the open descriptor, so a chmod race cannot slip between check and read.
    const info = await handle.stat();
    if (!info.isFile()) throw fail(`credentials file ${path} is not a regular file`);
    const loose = looseModeMessage(info.mode, path);
    if (loose !== null) throw fail(`refusing credentials file ${loose}`);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }

  const data = parseSecretYaml(text, path);
  if (!isRecord(data)) throw fail(`${path} must be a YAML mapping with ${OVH_KEY_NAMES.join(', ')}`);
  const missing = missingOvhKeys(data);
  if (missing.length > 0) throw fail(`${path} lacks ${missing.join(', ')} (each a non-empty string)`);
  return toOvhCredentials(data);
}
