import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { CarpOvhError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';

// devd and sh splice these into command lines: only plain absolute paths may go in.
const SAFE_PATH = /^\/[A-Za-z0-9_./+-]+$/;
const PLACEHOLDER = /%%[A-Z_]+%%/g;

export interface TemplatePaths {
  /** Absolute path of the node binary that runs carp-ovh. */
  node: string;
  /** Absolute path of dist/cli.js. */
  cli: string;
  /** Only when not the default /usr/local/etc/carp-ovh.yaml. */
  config?: string;
}

function checkPaths(paths: TemplatePaths): void {
  for (const [name, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    if (typeof path !== 'string' || !isAbsolute(path) || !SAFE_PATH.test(path)) {
      throw new CarpOvhError(
        `cannot put ${JSON.stringify(path)} (${name}) in a devd rule or script: it must be an absolute path of letters, digits and ./_+-`,
        {
          source: 'cli',
          badInput: true,
        },
      );
    }
  }
}

/** Fills %%NODE%%, %%CLI%% and %%CONFIG%% (` --config PATH`, or nothing for the default). */
export function renderTemplate(text: string, paths: TemplatePaths, name: string): string {
  checkPaths(paths);
  const values: Record<string, string> = {
    '%%NODE%%': paths.node,
    '%%CLI%%': paths.cli,
    '%%CONFIG%%': paths.config === undefined ? '' : ` --config ${paths.config}`,
  };
  return text.replace(PLACEHOLDER, (placeholder) => {
    const value = values[placeholder];
    if (value === undefined) {
      throw new CarpOvhError(`template ${name} uses ${placeholder}, which install does not know (known: ${Object.keys(values).join(', ')})`, {
        source: 'internal',
      });
    }
    return value;
  });
}

export interface Template {
  /** Relative to the package root, e.g. hooks/cron.d/carp-ovh. */
  source: string;
  text: string;
}

export async function readTemplate(source: string): Promise<Template | null> {
  try {
    return { source, text: await readFile(join(packageRoot(), source), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Every regular file of a template folder (hooks/rc.carp_service_status.d, …), sorted; [] when it is absent. */
export async function readTemplateDir(dir: string): Promise<Template[]> {
  let entries;
  try {
    entries = await readdir(join(packageRoot(), dir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const templates: Template[] = [];
  for (const name of names) {
    const template = await readTemplate(join(dir, name));
    if (template !== null) templates.push(template);
  }
  return templates;
}
