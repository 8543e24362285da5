import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CarpOvhError } from '../errors.ts';
import { isRecord, parseSecretYaml } from './yaml-file.ts';

export { fileModeProblem } from './file-mode.ts';

/**
 * The secretsmith file the Nasqueron routers already deploy (docs/configuration.md shows it):
 *
 *   vault:
 *     server: { url, verify: <CA path> | true | false, namespace? }
 *     auth: { method: approle | token (default), role_id, secret_id?, token?, token_file? | tokenfile? }
 */
export type SecretsmithAuth =
  | { method: 'approle'; roleId: string; secretId: string | undefined }
  | { method: 'token'; token: string | undefined; tokenFile: string | undefined };

export interface SecretsmithConfig {
  file: string;
  url: string;
  /** true = system CAs, false = no verification, string = CA bundle path (the only CAs trusted). */
  verify: boolean | string;
  namespace: string | undefined;
  auth: SecretsmithAuth;
}

export async function loadSecretsmithFile(file: string): Promise<SecretsmithConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CarpOvhError(`cannot read secretsmith file ${file} (${code})`, {
      source: 'secrets',
      badInput: true,
      file,
      errorCode: code,
    });
  }
  return parseSecretsmith(text, file);
}

/** Errors name the file and the key, never a value: every value here may be a secret. */
export function parseSecretsmith(text: string, file: string): SecretsmithConfig {
  const bad = (key: string, problem: string): CarpOvhError => new CarpOvhError(`${file}: ${key} ${problem}`, { source: 'secrets', badInput: true, file });

  const root = parseSecretYaml(text, file);
  if (!isRecord(root)) throw bad('vault', 'is missing (the file must be a YAML mapping with a vault key)');
  const vault = root.vault;
  if (!isRecord(vault)) throw bad('vault', 'is missing or not a mapping');
  const server = vault.server;
  if (!isRecord(server)) throw bad('vault.server', 'is missing or not a mapping');

  const url = optionalString(server.url, 'vault.server.url', bad);
  if (url === undefined) throw bad('vault.server.url', 'is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('vault.server.url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw bad('vault.server.url', 'must be an http(s) URL');
  if (parsed.username !== '' || parsed.password !== '') throw bad('vault.server.url', 'must not contain credentials');

  let verify: boolean | string = true;
  if (server.verify !== undefined && server.verify !== null) {
    if (typeof server.verify === 'boolean') verify = server.verify;
    else if (typeof server.verify === 'string' && server.verify.trim() !== '') verify = resolveFrom(file, server.verify.trim());
    else throw bad('vault.server.verify', 'must be true, false or the path of a CA file');
  }
  const namespace = optionalString(server.namespace, 'vault.server.namespace', bad);

  const auth = vault.auth ?? {};
  if (!isRecord(auth)) throw bad('vault.auth', 'must be a mapping');
  const method = auth.method ?? 'token';
  if (method !== 'approle' && method !== 'token') throw bad('vault.auth.method', 'must be approle or token');

  if (method === 'approle') {
    const roleId = optionalString(auth.role_id, 'vault.auth.role_id', bad);
    if (roleId === undefined) throw bad('vault.auth.role_id', 'is required for method approle');
    return {
      file,
      url: url.replace(/\/+$/, ''),
      verify,
      namespace,
      auth: { method, roleId, secretId: optionalString(auth.secret_id, 'vault.auth.secret_id', bad) },
    };
  }

  const token = optionalString(auth.token, 'vault.auth.token', bad);
  // secretsmith's code reads `tokenfile`, its README says `token_file`.
  const tokenFileA = optionalString(auth.token_file, 'vault.auth.token_file', bad);
  const tokenFileB = optionalString(auth.tokenfile, 'vault.auth.tokenfile', bad);
  if (tokenFileA !== undefined && tokenFileB !== undefined && tokenFileA !== tokenFileB) {
    throw bad('vault.auth.token_file', 'and vault.auth.tokenfile disagree: keep one');
  }
  const tokenFile = tokenFileA ?? tokenFileB;
  if (token === undefined && tokenFile === undefined) {
    throw bad('vault.auth', 'method token needs token or token_file');
  }
  return {
    file,
    url: url.replace(/\/+$/, ''),
    verify,
    namespace,
    auth: { method, token, tokenFile: tokenFile === undefined ? undefined : resolveFrom(file, tokenFile) },
  };
}

/** The token of a token-method config: inline, else the first line of the token file. */
export async function resolveSecretsmithToken(config: SecretsmithConfig): Promise<string> {
  if (config.auth.method !== 'token') throw new Error('resolveSecretsmithToken: not a token config');
  if (config.auth.token !== undefined) return config.auth.token;
  const path = config.auth.tokenFile!;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CarpOvhError(`cannot read Vault token file ${path} (${code}), named in ${config.file}`, {
      source: 'secrets',
      badInput: true,
      file: path,
      errorCode: code,
    });
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) {
    throw new CarpOvhError(`Vault token file ${path} must hold one token`, { source: 'secrets', badInput: true, file: path });
  }
  return token;
}

function optionalString(value: unknown, key: string, bad: (key: string, problem: string) => CarpOvhError): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Unquoted YAML turns some ids into numbers, and converting back can change them (1e5).
  if (typeof value === 'number') throw bad(key, 'must be a string: quote it');
  if (typeof value !== 'string') throw bad(key, 'must be a string');
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Relative paths are taken from the secretsmith file's folder: devd runs us with cwd /. */
function resolveFrom(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}
