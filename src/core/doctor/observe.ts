import { dirname } from 'node:path';
import type { Config } from '../../config/types.ts';
import { fail, pass, warn } from './checklist.ts';
import type { Check, FilePort } from './types.ts';

/**
 * What metrics and notify need on disk, checked only when they are configured:
 * the textfile's directory (node_exporter's), and notify scripts that can run.
 */
export async function observeChecks(config: Config, files: FilePort): Promise<Check[]> {
  const checks: Check[] = [];
  const textfile = config.metrics.textfile;
  if (textfile !== null) {
    const dir = dirname(textfile);
    const info = await files.stat(dir);
    checks.push(
      info?.isDirectory === true
        ? pass('install', 'metrics.textfile', 'metrics textfile', `written to ${textfile} after every check and claim (${dir} exists)`)
        : fail(
            'install',
            'metrics.textfile',
            'metrics textfile',
            `${dir} ${info === null ? 'does not exist' : 'is not a directory'}: the metrics cannot be written`,
            `create it, or point metrics.textfile at node_exporter's textfile directory (FreeBSD: node_exporter_textfile_dir in rc.conf, /var/tmp/node_exporter by default).`,
          ),
    );
  }
  const scripts = config.notify.scripts;
  if (scripts !== null) {
    let paths: string[];
    let where: string;
    if (scripts.kind === 'dir') {
      const info = await files.stat(scripts.dir);
      if (info?.isDirectory !== true) {
        checks.push(
          fail(
            'install',
            'notify.scripts',
            'notify scripts',
            `${scripts.dir} ${info === null ? 'does not exist' : 'is not a directory'}`,
            'create it and put the notify scripts in it (docs/examples/ has two), or remove notify.scripts.',
          ),
        );
        return checks;
      }
      paths = (await files.list(scripts.dir))
        .filter((name) => !name.startsWith('.'))
        .sort()
        .map((name) => `${scripts.dir}/${name}`);
      where = scripts.dir;
    } else {
      paths = scripts.paths;
      where = 'notify.scripts';
    }
    const runnable: string[] = [];
    const not: string[] = [];
    for (const path of paths) ((await files.executable(path)) ? runnable : not).push(path);
    if (scripts.kind === 'list' && not.length > 0) {
      checks.push(
        fail(
          'install',
          'notify.scripts',
          'notify scripts',
          `not executable or missing: ${not.join(', ')}`,
          'chmod 0755 them, or remove them from notify.scripts.',
        ),
      );
    } else if (runnable.length === 0) {
      checks.push(
        warn(
          'install',
          'notify.scripts',
          'notify scripts',
          `${where} holds no executable: no notification is sent`,
          'add a script (docs/examples/ has two) and chmod 0755 it.',
        ),
      );
    } else {
      checks.push(
        pass(
          'install',
          'notify.scripts',
          'notify scripts',
          `${runnable.length} run on each event, at most ${Math.round(config.notify.timeoutMs / 1000)} s each: ${runnable.join(', ')}`,
        ),
      );
    }
  }
  return checks;
}
