import { fail, pass, skip, warn } from './checklist.ts';
import type { Check, SecretFile, VaultReport } from './types.ts';

export function secretFileChecks(files: readonly SecretFile[]): Check[] {
  return files.map((file) => {
    const id = `secrets.mode:${file.path}`;
    const title = `${file.what} mode`;
    if (file.problem === null) return pass('secrets', id, title, `${file.path} is readable by its owner only`);
    if (/accessible by group or others/.test(file.problem)) {
      return fail(
        'secrets',
        id,
        title,
        `${file.path} can be read by group or others, and it opens the OVH keys`,
        `run chmod 600 ${file.path} (and chown root).`,
      );
    }
    return fail('secrets', id, title, file.problem, `deploy ${file.path} (mode 0600) or correct its path in the config.`);
  });
}

/**
 * One line per step of a credentials read. The first step that fails carries the
 * fix; the steps after it are skipped with its name.
 */
export function vaultChecks(report: VaultReport): { checks: Check[]; ok: boolean } {
  const checks: Check[] = [];
  const error = report.error;
  const where = report.url ?? 'Vault';
  let stopped: string | null = null;

  // Reachable
  const state = report.health?.state;
  if (report.url === null) {
    checks.push(
      fail(
        'vault',
        'vault.reachable',
        'Vault reachable',
        error?.message ?? 'the secretsmith file could not be read',
        'fix the secretsmith file named in ovh.credentials.vault.config.',
      ),
    );
    stopped = 'the secretsmith file is unusable';
  } else if (state === 'sealed') {
    checks.push(
      fail(
        'vault',
        'vault.reachable',
        'Vault reachable',
        `${where} is sealed: neither router can read the OVH keys, so no claim can succeed`,
        'unseal Vault (vault/bao operator unseal) on its cluster.',
      ),
    );
    stopped = 'Vault is sealed';
  } else if (state === 'uninitialized') {
    checks.push(
      fail(
        'vault',
        'vault.reachable',
        'Vault reachable',
        `${where} is not initialised`,
        'point vault.server.url in the secretsmith file at the production Vault.',
      ),
    );
    stopped = 'Vault is not initialised';
  } else if (report.health === null && error !== null && (error.status === 0 || error.status === undefined) && !report.loginOk) {
    checks.push(
      fail(
        'vault',
        'vault.reachable',
        'Vault reachable',
        `cannot reach ${where}: ${error.message}`,
        'check the route and firewall to Vault, its URL and CA (verify) in the secretsmith file.',
      ),
    );
    stopped = 'Vault is unreachable';
  } else if (report.tlsVerify === 'off') {
    checks.push(
      warn(
        'vault',
        'vault.reachable',
        'Vault reachable',
        `${where} answers, but its certificate is not verified`,
        'set vault.server.verify in the secretsmith file to the Vault CA file.',
      ),
    );
  } else {
    const health =
      report.health === null ? 'health not reported' : `${report.health.state}${report.health.version === null ? '' : `, ${report.health.version}`}`;
    checks.push(pass('vault', 'vault.reachable', 'Vault reachable', `${where} answers (${health})`));
  }

  // Login
  if (stopped !== null) checks.push(skip('vault', 'vault.login', 'Vault login', stopped));
  else if (report.loginOk) checks.push(pass('vault', 'vault.login', 'Vault login', `${report.authMethod ?? 'token'} login works`));
  else {
    const bad = error?.status === 400 || error?.status === 403;
    checks.push(
      fail(
        'vault',
        'vault.login',
        'Vault login',
        error?.message ?? 'login failed',
        bad
          ? 'redeploy the secretsmith file with the current AppRole role_id and secret_id (or token).'
          : 'check Vault and the auth section of the secretsmith file.',
      ),
    );
    stopped = 'the Vault login failed';
  }

  // Read
  if (stopped !== null) checks.push(skip('vault', 'vault.read', 'secret readable', stopped));
  else if (report.readOk) checks.push(pass('vault', 'vault.read', 'secret readable', `read ${report.secretPath}`));
  else {
    const denied = error?.status === 403;
    checks.push(
      fail(
        'vault',
        'vault.read',
        'secret readable',
        error?.message ?? `cannot read ${report.secretPath}`,
        denied ? `give the token's policy read on ${report.secretPath}.` : 'check ovh.credentials.vault mount, path and kv_version.',
      ),
    );
    stopped = 'the secret could not be read';
  }

  // Keys
  if (stopped !== null) checks.push(skip('vault', 'vault.keys', 'OVH keys present', stopped));
  else if (report.keysMissing.length === 0) checks.push(pass('vault', 'vault.keys', 'OVH keys present', report.keysPresent.join(', ')));
  else {
    checks.push(
      fail(
        'vault',
        'vault.keys',
        'OVH keys present',
        `${report.secretPath} lacks ${report.keysMissing.join(', ')}`,
        `write the missing keys to ${report.secretPath}.`,
      ),
    );
    stopped = 'keys are missing';
  }

  // Token TTL
  const ttl = report.tokenTtlSeconds;
  if (!report.loginOk || ttl === null) checks.push(skip('vault', 'vault.ttl', 'token TTL', stopped ?? 'Vault did not report it'));
  else if (ttl === 0) checks.push(pass('vault', 'vault.ttl', 'token TTL', 'the token does not expire'));
  else if (ttl < 10)
    checks.push(
      warn(
        'vault',
        'vault.ttl',
        'token TTL',
        `${ttl}s: a slow Vault could expire it between login and read`,
        'raise the AppRole token_ttl (300 s in the deployed setup).',
      ),
    );
  else checks.push(pass('vault', 'vault.ttl', 'token TTL', `${ttl}s`));

  return { checks, ok: stopped === null };
}
