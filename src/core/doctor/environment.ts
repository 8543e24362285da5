import type { Config } from '../../config/types.ts';
import { fail, pass, warn } from './checklist.ts';
import type { Check } from './types.ts';

/**
 * Variables that silently turn TLS checks off. Doctor runs in the operator's
 * shell, but cron and devd inherit from the same rc scripts and profiles.
 */
export function environmentChecks(config: Config | null, env: Readonly<Record<string, string | undefined>>): Check[] {
  const checks: Check[] = [];
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    checks.push(
      fail(
        'environment',
        'env.tls',
        'TLS verification',
        'NODE_TLS_REJECT_UNAUTHORIZED=0 is set: Node accepts any certificate, so anyone on the path can read the OVH keys',
        'unset NODE_TLS_REJECT_UNAUTHORIZED and trust a CA with ovh.ca or the secretsmith verify file instead.',
      ),
    );
  } else {
    checks.push(pass('environment', 'env.tls', 'TLS verification', 'NODE_TLS_REJECT_UNAUTHORIZED is not 0'));
  }
  const skipVerify = env.VAULT_SKIP_VERIFY;
  const vault = config?.ovh.credentials.kind === 'vault' ? config.ovh.credentials : null;
  if (vault !== null && skipVerify !== undefined && skipVerify !== '') {
    checks.push(
      vault.allowEnvSkipVerify
        ? fail(
            'environment',
            'env.vault-skip-verify',
            'VAULT_SKIP_VERIFY',
            `VAULT_SKIP_VERIFY is set and allow_env_skip_verify is true: Vault's certificate is not checked`,
            'unset VAULT_SKIP_VERIFY, or set allow_env_skip_verify: false and give the CA in the secretsmith verify key.',
          )
        : warn(
            'environment',
            'env.vault-skip-verify',
            'VAULT_SKIP_VERIFY',
            'VAULT_SKIP_VERIFY is set; carp-ovh ignores it (allow_env_skip_verify is false), other Vault clients may not',
            'unset VAULT_SKIP_VERIFY.',
          ),
    );
  }
  return checks;
}
