import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CarpOvhError } from '../errors.ts';
import { MANIFEST_PATH, underRoot } from './layout.ts';
import { readManifest, sha256, type Manifest, type ManifestFile } from './manifest.ts';
import type { InstallPlan, PlannedFile } from './plan.ts';

/**
 * Carries out an install plan or an uninstall, recording in the manifest exactly
 * what was written. Nothing is written when any file is in the way: a file install
 * did not write (or that changed since) is the operator's, never overwritten.
 */

export interface Outcome {
  lines: string[];
  exitCode: number;
}

type FileAction = 'create' | 'update' | 'same' | 'keep' | 'conflict';

interface Step {
  file: PlannedFile;
  action: FileAction;
  /** The manifest record after install, or null when the file is not ours. */
  record: ManifestFile | null;
  why?: string;
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') return '';
    throw writeError('read', path, error);
  }
}

function writeError(what: string, path: string, error: unknown): CarpOvhError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const hint = code === 'EACCES' || code === 'EPERM' ? ' (run as root)' : '';
  return new CarpOvhError(`cannot ${what} ${path}: ${code}${hint}`, { source: 'state', file: path, cause: error });
}

async function decide(root: string, file: PlannedFile, previous: Manifest | null): Promise<Step> {
  const current = await readOrNull(underRoot(root, file.path));
  const mine = previous?.files.find((entry) => entry.path === file.path) ?? null;
  const record: ManifestFile = { path: file.path, sha256: sha256(file.content), mode: octal(file.mode), source: file.source };
  if (current === null) return { file, action: 'create', record };
  if (file.sample)
    return {
      file,
      action: 'keep',
      record: mine !== null && mine.sha256 === sha256(current) ? mine : null,
      why: 'exists; a configuration is never overwritten',
    };
  if (current === file.content) return { file, action: 'same', record: mine === null ? null : record };
  if (mine !== null && mine.sha256 === sha256(current)) return { file, action: 'update', record };
  return {
    file,
    action: 'conflict',
    record: null,
    why: mine === null ? 'exists and was not written by carp-ovh install' : 'was changed since carp-ovh install wrote it',
  };
}

/** Ancestors of `path` that do not exist under root, shallowest first. */
async function missingDirs(root: string, path: string): Promise<string[]> {
  const out: string[] = [];
  let dir = dirname(path);
  while (dir !== '/' && dir !== '.') {
    const info = await stat(underRoot(root, dir)).catch(() => null);
    if (info !== null) break;
    out.unshift(dir);
    dir = dirname(dir);
  }
  return out;
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.carp-ovh-tmp-${process.pid}`;
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The umask must not decide whether a hook script is executable.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw writeError('write', path, error);
  }
}

function contentBlock(file: PlannedFile, what: string): string[] {
  const body = file.content.endsWith('\n') ? file.content.slice(0, -1) : file.content;
  return [`--- ${file.path} (${octal(file.mode)}, ${what})`, ...body.split('\n'), ''];
}

export async function applyInstall(plan: InstallPlan, options: { root: string; dryRun: boolean }): Promise<Outcome> {
  const { root, dryRun } = options;
  const previous = await readManifest(root);
  const steps = await Promise.all(plan.files.map((file) => decide(root, file, previous)));
  const planned = new Set(plan.files.map((file) => file.path));
  const stale = (previous?.files ?? []).filter((entry) => !planned.has(entry.path));

  const header = `carp-ovh install: ${PLATFORM_WORDS[plan.platform]}, timer ${plan.timer}${root === '/' ? '' : `, under ${root}`}${dryRun ? ' (dry run: nothing is written)' : ''}`;
  const lines = [header];
  const conflicts = steps.filter((step) => step.action === 'conflict');
  if (conflicts.length > 0) {
    for (const step of conflicts) lines.push(`  in the way  ${step.file.path}: ${step.why ?? ''}`);
    lines.push('nothing was written: move those files away (or run carp-ovh uninstall --force for changed ones), then install again');
    return { lines, exitCode: 1 };
  }

  if (dryRun) {
    lines.push('');
    for (const step of steps) {
      if (step.action === 'create' || step.action === 'update') lines.push(...contentBlock(step.file, `would ${step.action}`));
      else lines.push(`--- ${step.file.path}: ${step.action === 'same' ? 'already as it would be written' : `left alone (${step.why ?? ''})`}`, '');
    }
    for (const entry of stale) lines.push(`--- ${entry.path}: would be removed (no longer installed)`, '');
    return { lines, exitCode: 0 };
  }

  // DESTDIR practice: a staging root that does not exist yet is created (not
  // recorded in the manifest: the root is the operator's, uninstall leaves it).
  if (root !== '/') {
    try {
      await mkdir(root, { recursive: true, mode: 0o755 });
    } catch (error) {
      throw writeError('create', root, error);
    }
  }
  const dirs = [...(previous?.dirs ?? [])];
  const ensureDirs = async (path: string): Promise<void> => {
    for (const dir of await missingDirs(root, path)) {
      try {
        await mkdir(underRoot(root, dir), { mode: dir.startsWith('/var/db/') ? 0o700 : 0o755 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError('create', underRoot(root, dir), error);
      }
      if (!dirs.includes(dir)) dirs.push(dir);
    }
  };

  const records: ManifestFile[] = [];
  for (const step of steps) {
    if (step.action === 'create' || step.action === 'update') {
      await ensureDirs(step.file.path);
      await writeAtomic(underRoot(root, step.file.path), step.file.content, step.file.mode);
      lines.push(`  ${step.action === 'create' ? 'created ' : 'updated '}  ${step.file.path} (${octal(step.file.mode)})`);
    } else if (step.action === 'same') {
      // Our own file, as it should be, but perhaps chmod-ed since: a hook script must stay executable.
      if (step.record !== null)
        await chmod(underRoot(root, step.file.path), step.file.mode).catch((error: unknown) =>
          Promise.reject(writeError('chmod', underRoot(root, step.file.path), error)),
        );
      lines.push(`  unchanged  ${step.file.path}${step.record === null ? ' (not ours: left out of the manifest)' : ''}`);
    } else {
      lines.push(`  kept       ${step.file.path}: ${step.why ?? ''}`);
    }
    if (step.record !== null) records.push(step.record);
  }
  const removal = await removeFiles(root, stale, false);
  lines.push(...removal.lines.map((line) => `${line} (no longer installed)`));
  records.push(...removal.kept);

  await ensureDirs(MANIFEST_PATH);
  const manifest: Manifest = {
    version: 1,
    installedAt: new Date().toISOString(),
    platform: plan.platform,
    timer: plan.timer,
    node: plan.paths.node,
    cli: plan.paths.cli,
    config: plan.files.find((file) => file.sample)?.path ?? '',
    files: records,
    dirs,
  };
  await writeAtomic(underRoot(root, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  lines.push(`recorded in ${MANIFEST_PATH} (carp-ovh uninstall removes exactly these files)`, '', 'next:', ...(await nextSteps(plan)), '  carp-ovh doctor');
  return { lines, exitCode: 0 };
}

const PLATFORM_WORDS: Record<InstallPlan['platform'], string> = {
  freebsd: 'FreeBSD (devd rule)',
  opnsense: 'OPNsense (syshook)',
  keepalived: 'keepalived (notify and track_file snippets)',
  openbsd: "OpenBSD (carp-ovh's own ifstated)",
};

async function nextSteps(plan: InstallPlan): Promise<string[]> {
  if (plan.platform === 'keepalived') return (await import('../platform/keepalived/install.ts')).keepalivedNextSteps(plan.timer);
  if (plan.platform === 'openbsd') return (await import('../platform/openbsd/install.ts')).openBsdNextSteps(plan.timer);
  const out: string[] = [];
  if (plan.platform === 'freebsd') out.push('  service devd restart          # devd reads its rules only at start');
  else out.push('  (OPNsense runs the syshook on the next CARP event: nothing to restart)');
  if (plan.timer === 'rc.d') out.push('  sysrc carp_ovh_enable=YES && service carp_ovh start');
  else if (plan.timer === 'cron') out.push('  (cron reads /etc/cron.d by itself within a minute)');
  else if (plan.platform === 'opnsense')
    out.push('  have "configctl interface update carp service_status" run every minute: OPNsense runs the service-status scripts only when asked');
  return out;
}

/** Removes recorded files that still hold what install wrote; returns the records of those kept. */
async function removeFiles(root: string, files: ManifestFile[], force: boolean): Promise<{ lines: string[]; kept: ManifestFile[]; changed: number }> {
  const lines: string[] = [];
  const kept: ManifestFile[] = [];
  let changed = 0;
  for (const entry of files) {
    const path = underRoot(root, entry.path);
    const current = await readOrNull(path);
    if (current === null) {
      lines.push(`  gone       ${entry.path} (already removed)`);
      continue;
    }
    if (sha256(current) !== entry.sha256 && !force) {
      lines.push(`  kept       ${entry.path}: changed since install (uninstall --force removes it)`);
      kept.push(entry);
      changed++;
      continue;
    }
    try {
      await unlink(path);
    } catch (error) {
      throw writeError('remove', path, error);
    }
    lines.push(`  removed    ${entry.path}`);
  }
  return { lines, kept, changed };
}

export async function applyUninstall(options: { root: string; dryRun: boolean; force: boolean }): Promise<Outcome> {
  const { root, dryRun, force } = options;
  const manifest = await readManifest(root);
  const lines = [`carp-ovh uninstall${root === '/' ? '' : `: under ${root}`}${dryRun ? ' (dry run: nothing is removed)' : ''}`];
  if (manifest === null) {
    lines.push(`  nothing recorded in ${MANIFEST_PATH}: nothing to remove`);
    return { lines, exitCode: 0 };
  }
  if (dryRun) {
    for (const entry of manifest.files) {
      const current = await readOrNull(underRoot(root, entry.path));
      const what =
        current === null
          ? 'already gone'
          : sha256(current) === entry.sha256 || force
            ? 'would be removed'
            : 'changed since install: would be kept (--force removes it)';
      lines.push(`  ${entry.path}: ${what}`);
    }
    lines.push(`  ${MANIFEST_PATH}: would be removed, with the directories install created once empty`);
    return { lines, exitCode: 0 };
  }

  if (manifest.timer === 'rc.d' && manifest.platform !== 'openbsd')
    lines.push('  (stop the check service first if it runs: service carp_ovh onestop; sysrc -x carp_ovh_enable)');
  const keepalivedSteps =
    manifest.platform === 'keepalived'
      ? (await import('../platform/keepalived/install.ts')).keepalivedUninstallSteps(manifest.timer)
      : manifest.platform === 'openbsd'
        ? (await import('../platform/openbsd/install.ts')).openBsdUninstallSteps(manifest.timer)
        : [];
  const removal = await removeFiles(root, manifest.files, force);
  lines.push(...removal.lines);
  const manifestPath = underRoot(root, MANIFEST_PATH);
  let leftDirs: string[] = [];
  if (removal.kept.length > 0) {
    await writeAtomic(manifestPath, `${JSON.stringify({ ...manifest, files: removal.kept }, null, 2)}\n`, 0o600);
    leftDirs = manifest.dirs;
  } else {
    await unlink(manifestPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw writeError('remove', manifestPath, error);
    });
    // Deepest first; a directory that holds anything else stays.
    for (const dir of [...manifest.dirs].reverse()) {
      try {
        await rmdir(underRoot(root, dir));
      } catch {
        leftDirs.push(dir);
      }
    }
  }
  if (leftDirs.length > 0 && removal.kept.length === 0)
    lines.push(`  left ${leftDirs.length} director${leftDirs.length === 1 ? 'y' : 'ies'} install created that now hold other files`);
  if (manifest.platform === 'freebsd') lines.push('', 'next:', '  service devd restart');
  if (keepalivedSteps.length > 0) lines.push('', 'next:', ...keepalivedSteps);
  return { lines, exitCode: removal.changed > 0 ? 1 : 0 };
}
