import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CarpOvhError } from '../../src/errors.ts';
import { fileModeProblem, loadSecretsmithFile, parseSecretsmith, resolveSecretsmithToken } from '../../src/secrets/secretsmith.ts';
import { SECRET_MARKERS, VAULT_ROLE_ID, VAULT_ROOT_TOKEN, VAULT_SECRET_ID } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';
import { writeTokenFile } from '../support/vault-sim/fixtures.ts';

const FILE = '/usr/local/etc/secrets/carp-secretsmith.yaml';

function parseError(text: string): CarpOvhError {
  try {
    parseSecretsmith(text, FILE);
  } catch (error) {
    assert.ok(error instanceof CarpOvhError);
    assert.equal(error.source, 'secrets');
    assert.equal(error.badInput, true);
    assert.equal(error.file, FILE);
    assert.ok(error.message.startsWith(`${FILE}: `), error.message);
    for (const marker of SECRET_MARKERS) assert.ok(!error.message.includes(marker), `leaks ${marker.slice(0, 8)}: ${error.message}`);
    return error;
  }
  assert.fail('expected a parse error');
}

describe('secretsmith file parsing', () => {
  test('the deployed AppRole layout', () => {
    const config = parseSecretsmith(
      `vault:
  server:
    url: https://172.27.27.7:8200/
    verify: /usr/local/share/certs/nasqueron-vault-ca.crt
  auth:
    method: approle
    role_id: ${VAULT_ROLE_ID}
    secret_id: ${VAULT_SECRET_ID}
`,
      FILE,
    );
    assert.deepEqual(config, {
      file: FILE,
      url: 'https://172.27.27.7:8200',
      verify: '/usr/local/share/certs/nasqueron-vault-ca.crt',
      namespace: undefined,
      auth: { method: 'approle', roleId: VAULT_ROLE_ID, secretId: VAULT_SECRET_ID },
    });
  });

  test('flow style, as routers deploy it; secret_id optional; namespace kept', () => {
    const config = parseSecretsmith(
      `vault:\n  server: { url: "https://vault.example:8200", verify: true, namespace: nasqueron }\n  auth: { method: approle, role_id: "${VAULT_ROLE_ID}" }\n`,
      FILE,
    );
    assert.equal(config.verify, true);
    assert.equal(config.namespace, 'nasqueron');
    assert.deepEqual(config.auth, { method: 'approle', roleId: VAULT_ROLE_ID, secretId: undefined });
  });

  test('method defaults to token; verify defaults to true; false is kept', () => {
    const a = parseSecretsmith(`vault:\n  server: { url: "https://v:8200" }\n  auth: { token: "${VAULT_ROOT_TOKEN}" }\n`, FILE);
    assert.equal(a.verify, true);
    assert.deepEqual(a.auth, { method: 'token', token: VAULT_ROOT_TOKEN, tokenFile: undefined });
    const b = parseSecretsmith(`vault:\n  server: { url: "https://v:8200", verify: false }\n  auth: { token: x }\n`, FILE);
    assert.equal(b.verify, false);
  });

  test('tokenfile and token_file are both accepted; relative paths start at the secretsmith folder', () => {
    for (const key of ['tokenfile', 'token_file']) {
      const c = parseSecretsmith(`vault:\n  server: { url: "https://v:8200", verify: ca.pem }\n  auth: { method: token, ${key}: vault-token }\n`, FILE);
      assert.deepEqual(c.auth, { method: 'token', token: undefined, tokenFile: '/usr/local/etc/secrets/vault-token' });
      assert.equal(c.verify, '/usr/local/etc/secrets/ca.pem');
    }
    const same = parseSecretsmith(`vault:\n  server: { url: "https://v:8200" }\n  auth: { tokenfile: /a, token_file: /a }\n`, FILE);
    assert.equal(same.auth.method === 'token' && same.auth.tokenFile, '/a');
    assert.match(parseError(`vault:\n  server: { url: "https://v:8200" }\n  auth: { tokenfile: /a, token_file: /b }\n`).message, /disagree/);
  });

  test('problems name the file and the key, never the value', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /vault is missing/],
      ['vault: 3\n', /vault is missing or not a mapping/],
      ['vault: {}\n', /vault\.server is missing/],
      [`vault:\n  server: { verify: true }\n  auth: { token: ${VAULT_ROOT_TOKEN} }\n`, /vault\.server\.url is required/],
      [`vault:\n  server: { url: "not a url ${VAULT_SECRET_ID}" }\n  auth: { token: x }\n`, /vault\.server\.url is not a valid URL/],
      [`vault:\n  server: { url: "ftp://v" }\n  auth: { token: x }\n`, /must be an http\(s\) URL/],
      [`vault:\n  server: { url: "https://u:${VAULT_SECRET_ID}@v:8200" }\n  auth: { token: x }\n`, /must not contain credentials/],
      [`vault:\n  server: { url: "https://v:8200", verify: 3 }\n  auth: { token: x }\n`, /vault\.server\.verify must be true, false or the path/],
      [`vault:\n  server: { url: "https://v:8200" }\n  auth: { method: ${VAULT_SECRET_ID} }\n`, /vault\.auth\.method must be approle or token/],
      [
        `vault:\n  server: { url: "https://v:8200" }\n  auth: { method: approle, secret_id: ${VAULT_SECRET_ID} }\n`,
        /vault\.auth\.role_id is required for method approle/,
      ],
      [`vault:\n  server: { url: "https://v:8200" }\n  auth: { method: approle, role_id: 12345 }\n`, /vault\.auth\.role_id must be a string: quote it/],
      [`vault:\n  server: { url: "https://v:8200" }\n  auth: { method: approle, role_id: [${VAULT_ROLE_ID}] }\n`, /vault\.auth\.role_id must be a string/],
      [`vault:\n  server: { url: "https://v:8200" }\n  auth: { method: token }\n`, /method token needs token or token_file/],
      [`vault:\n  server: { url: "https://v:8200" }\n  auth: ${VAULT_SECRET_ID}\n`, /vault\.auth must be a mapping/],
    ];
    for (const [text, pattern] of cases) assert.match(parseError(text).message, pattern, text);
  });

  test('a YAML syntax error gives line and column, not the offending line', () => {
    const error = parseError(
      `vault:\n  server: { url: "https://v:8200" }\n  auth: { method: approle, role_id: ${VAULT_ROLE_ID}, secret_id: "${VAULT_SECRET_ID}\n`,
    );
    assert.match(error.message, /invalid YAML at line \d+, column \d+ \([A-Z_]+\)/);
  });

  test('duplicate keys are an error', () => {
    assert.match(parseError(`vault:\n  server: { url: "https://v:8200" }\n  server: { url: "https://w:8200" }\n`).message, /DUPLICATE_KEY/);
  });

  test('loadSecretsmithFile: a missing file names it', async () => {
    await assert.rejects(loadSecretsmithFile('/nonexistent/carp-secretsmith.yaml'), (error: unknown) => {
      assert.ok(error instanceof CarpOvhError);
      assert.equal(error.badInput, true);
      assert.equal(error.file, '/nonexistent/carp-secretsmith.yaml');
      assert.match(error.message, /cannot read secretsmith file \/nonexistent\/carp-secretsmith\.yaml \(ENOENT\)/);
      return true;
    });
  });

  test('resolveSecretsmithToken: inline, from a file (trimmed), empty file refused', async () => {
    const inline = parseSecretsmith(`vault:\n  server: { url: "https://v:8200" }\n  auth: { token: "${VAULT_ROOT_TOKEN}" }\n`, FILE);
    assert.equal(await resolveSecretsmithToken(inline), VAULT_ROOT_TOKEN);
    const tokenFile = writeTokenFile(VAULT_ROOT_TOKEN);
    const fromFile = parseSecretsmith(`vault:\n  server: { url: "https://v:8200" }\n  auth: { token_file: ${tokenFile} }\n`, FILE);
    assert.equal(await resolveSecretsmithToken(fromFile), VAULT_ROOT_TOKEN);
    const empty = join(makeTempDir('empty-token'), 'vault-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const emptyConfig = parseSecretsmith(`vault:\n  server: { url: "https://v:8200" }\n  auth: { token_file: ${empty} }\n`, FILE);
    await assert.rejects(resolveSecretsmithToken(emptyConfig), /must hold one token/);
  });
});

describe('fileModeProblem (reported by doctor/check, not refused)', () => {
  test('0600 and 0400 are fine; 0644, 0640 and 0660 are reported with the chmod to run', async () => {
    const dir = makeTempDir('secretsmith-mode');
    const file = join(dir, 'carp-secretsmith.yaml');
    writeFileSync(file, 'vault: {}\n');
    for (const mode of [0o600, 0o400]) {
      chmodSync(file, mode);
      assert.equal(await fileModeProblem(file), null);
    }
    for (const [mode, shown] of [
      [0o644, '0644'],
      [0o640, '0640'],
      [0o660, '0660'],
    ] as const) {
      chmodSync(file, mode);
      assert.equal(await fileModeProblem(file), `${file} is accessible by group or others (mode ${shown}): run chmod 600 ${file}`);
    }
  });

  test('a missing file or a directory is a problem too', async () => {
    assert.match((await fileModeProblem('/nonexistent/carp-secretsmith.yaml')) ?? '', /ENOENT/);
    assert.match((await fileModeProblem(makeTempDir('dir'))) ?? '', /not a regular file/);
  });

  test('a world-readable secretsmith file still loads (only reported)', async () => {
    const file = join(makeTempDir('secretsmith-open'), 'carp-secretsmith.yaml');
    writeFileSync(file, 'vault:\n  server: { url: "https://v:8200" }\n  auth: { token: x }\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const config = await loadSecretsmithFile(file);
    assert.equal(config.url, 'https://v:8200');
    assert.notEqual(await fileModeProblem(file), null);
  });
});
