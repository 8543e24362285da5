import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { CarpOvhError } from '../errors.ts';

const TEMPLATE = new URL('../../devd/carp-ovh.conf', import.meta.url);
// devd hands the action to /bin/sh -c: only plain absolute paths may be spliced in.
const SAFE_PATH = /^\/[A-Za-z0-9_./+-]+$/;

export interface DevdPaths {
  node: string;
  cli: string;
  /** Only when not the default /usr/local/etc/carp-ovh.yaml. */
  config?: string;
}

export async function renderDevdRule(paths: DevdPaths): Promise<string> {
  for (const [name, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    if (!isAbsolute(path) || !SAFE_PATH.test(path)) {
      throw new CarpOvhError(`cannot put ${JSON.stringify(path)} (${name}) in a devd rule: it must be an absolute path of letters, digits and ./_+-`, {
        source: 'cli',
        badInput: true,
      });
    }
  }
  const template = await readFile(TEMPLATE, 'utf8');
  return template
    .replace('%%NODE%%', paths.node)
    .replace('%%CLI%%', paths.cli)
    .replace('%%CONFIG%%', paths.config === undefined ? '' : ` --config ${paths.config}`);
}
