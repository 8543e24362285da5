import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import type { Config, FailoverEntry } from '../../config/types.ts';
import type { FailoverProvider } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import type { DoctorDeps, FilePort, OvhProbe, SecretFile } from '../../core/doctor/types.ts';
import type { StatusDeps } from '../../core/status.ts';
import { isOpnsense, LAYOUT } from '../../install/layout.ts';
import { StateDir } from '../../state.ts';
import type { CliContext } from './context.ts';
import { ovhApiFor, platformFor, providersFor, secretSourceFor, vaultOptionsOf } from './wire.ts';

/** The adapters behind `doctor` and `status` (see wire.ts for the claim's). */

const nodeFiles: FilePort = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  },
  async stat(path) {
    try {
      const info = await stat(path);
      return { isFile: info.isFile(), isDirectory: info.isDirectory(), mode: info.mode, uid: info.uid };
    } catch {
      return null;
    }
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch {
      return [];
    }
  },
  async executable(path) {
    try {
      await access(path, constants.X_OK);
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  },
};

async function secretFilesOf(config: Config): Promise<SecretFile[]> {
  const { fileModeProblem, loadSecretsmithFile } = await import('../../secrets/secretsmith.ts');
  const credentials = config.ovh.credentials;
  const files: Array<{ path: string; what: string }> = [];
  if (credentials.kind === 'file') {
    files.push({ path: credentials.file, what: 'OVH credentials file' });
  } else {
    files.push({ path: credentials.config, what: 'secretsmith file' });
    try {
      const secretsmith = await loadSecretsmithFile(credentials.config);
      if (secretsmith.auth.method === 'token' && secretsmith.auth.tokenFile !== undefined)
        files.push({ path: secretsmith.auth.tokenFile, what: 'Vault token file' });
    } catch {
      // The Vault checks report an unreadable secretsmith file.
    }
  }
  return Promise.all(files.map(async (file) => ({ ...file, problem: await fileModeProblem(file.path) })));
}

async function ovhProbeFor(config: Config, credentials: Parameters<typeof ovhApiFor>[1]): Promise<OvhProbe> {
  const { client, api } = await ovhApiFor(config, credentials);
  try {
    const providerOf = await providersFor(config, api, new StateDir(config.stateDir));
    return {
      apiRoot: client.apiRoot,
      clockOffset: (signal) => client.clockOffset({ signal }),
      currentCredential: (signal) => client.request('GET', '/auth/currentCredential', undefined, { signal }),
      providerOf,
      close: () => client.close(),
    };
  } catch (error) {
    client.close();
    throw error;
  }
}

/** Providers on an API that refuses every call: doctor asks them only to report their checks as not run. */
async function offlineProvidersFor(config: Config): Promise<(entry: FailoverEntry) => FailoverProvider> {
  const { OvhApi } = await import('../../providers/ovh/api.ts');
  const refuse = (): Promise<never> => Promise.reject(new CarpOvhError('no OVH session (no credentials)', { source: 'ovh' }));
  return providersFor(config, new OvhApi({ request: refuse }, { retries: 0, retryDelayMs: 0 }), new StateDir(config.stateDir));
}

export async function doctorDeps(ctx: CliContext, config: Config, root: string): Promise<DoctorDeps> {
  const credentials = config.ovh.credentials;
  return {
    config,
    root,
    opnsense: isOpnsense(root),
    // keepalived's trigger is its notify line and its timer a systemd unit: its doctorChecks check both.
    layout: config.platform.kind === 'keepalived' ? null : LAYOUT,
    cliPath: ctx.cliPath,
    env: ctx.env,
    files: nodeFiles,
    platform: await platformFor(config),
    state: new StateDir(config.stateDir),
    inspectVault:
      credentials.kind === 'vault'
        ? async () => {
            const { inspectVault } = await import('../../secrets/vault.ts');
            return inspectVault(vaultOptionsOf(credentials, ctx.env));
          }
        : null,
    secretFiles: () => secretFilesOf(config),
    readCredentials: async (signal) => (await secretSourceFor(config)).readOvhCredentials({ signal }),
    ovh: (creds) => ovhProbeFor(config, creds),
    offlineProviders: () => offlineProvidersFor(config),
    now: Date.now,
  };
}

export async function statusDeps(config: Config, timeoutMs: number): Promise<StatusDeps> {
  return {
    config,
    platform: await platformFor(config),
    state: new StateDir(config.stateDir),
    timeoutMs,
    now: Date.now,
    locate: async (targets, signal) => {
      const credentials = await (await secretSourceFor(config)).readOvhCredentials({ signal });
      // The same OVH session the health probes use: one client, each entry's provider.
      const { ovhProbeSession } = await import('./health-wire.ts');
      const session = await ovhProbeSession(config, credentials);
      try {
        return await session.locate(targets, signal);
      } finally {
        session.close();
      }
    },
  };
}
