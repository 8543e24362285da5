import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CarpOvhError } from '../../src/errors.ts';
import { createFileSource } from '../../src/secrets/file.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, SECRET_MARKERS } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';

const FULL = `application_key: ${OVH_APPLICATION_KEY}\napplication_secret: ${OVH_APPLICATION_SECRET}\nconsumer_key: "${OVH_CONSUMER_KEY}"\n`;

function credentialsFile(text: string, mode = 0o600): string {
  const file = join(makeTempDir('file-source'), 'ovh-credentials.yaml');
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

async function carpError(promise: Promise<unknown>): Promise<CarpOvhError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CarpOvhError);
    const seen = `${error.message}\n${inspect(error)}`;
    for (const marker of [...SECRET_MARKERS, OVH_APPLICATION_KEY]) assert.ok(!seen.includes(marker), `leaks ${marker.slice(0, 8)}`);
    return error;
  }
  assert.fail('expected a CarpOvhError');
}

describe('file credential source', () => {
  test('mode 0600: the three keys are read', async () => {
    const file = credentialsFile(FULL);
    const source = createFileSource(file);
    assert.equal(source.description, `file ${file}`);
    assert.deepEqual(await source.readOvhCredentials(), {
      applicationKey: OVH_APPLICATION_KEY,
      applicationSecret: OVH_APPLICATION_SECRET,
      consumerKey: OVH_CONSUMER_KEY,
    });
  });

  test('0400 is fine too', async () => {
    assert.equal((await createFileSource(credentialsFile(FULL, 0o400)).readOvhCredentials()).consumerKey, OVH_CONSUMER_KEY);
  });

  for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
    test(`mode 0${mode.toString(8)} is refused with the chmod to run`, async () => {
      const file = credentialsFile(FULL, mode);
      const error = await carpError(createFileSource(file).readOvhCredentials());
      assert.equal(error.source, 'secrets');
      assert.equal(error.badInput, true);
      assert.equal(error.file, file);
      assert.ok(error.message.includes(`chmod 600 ${file}`), error.message);
    });
  }

  test('missing keys are named; empty values count as missing', async () => {
    const file = credentialsFile(`application_key: ${OVH_APPLICATION_KEY}\nconsumer_key: ""\n`);
    const error = await carpError(createFileSource(file).readOvhCredentials());
    assert.equal(error.badInput, true);
    assert.equal(error.file, file);
    assert.match(error.message, /lacks application_secret, consumer_key/);
  });

  test('not a mapping', async () => {
    const error = await carpError(createFileSource(credentialsFile(`- ${OVH_APPLICATION_SECRET}\n`)).readOvhCredentials());
    assert.match(error.message, /must be a YAML mapping with application_key, application_secret, consumer_key/);
  });

  test('invalid YAML: position only, the secret line is not quoted', async () => {
    const error = await carpError(createFileSource(credentialsFile(`application_secret: "${OVH_APPLICATION_SECRET}\n`)).readOvhCredentials());
    assert.match(error.message, /invalid YAML at line \d+, column \d+ \(MISSING_CHAR\)/);
  });

  test('a mapping used as a key holding a secret: no node warning quotes it', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      // Like any other key the credentials do not name, it is ignored.
      const credentials = await createFileSource(credentialsFile(`? [${OVH_APPLICATION_SECRET}]\n: x\n${FULL}`)).readOvhCredentials();
      assert.equal(credentials.consumerKey, OVH_CONSUMER_KEY);
      await new Promise((resolve) => setImmediate(resolve)); // a warning is emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test('a missing file is bad input naming the path', async () => {
    const error = await carpError(createFileSource('/nonexistent/ovh-credentials.yaml').readOvhCredentials());
    assert.equal(error.badInput, true);
    assert.equal(error.errorCode, 'ENOENT');
    assert.equal(error.file, '/nonexistent/ovh-credentials.yaml');
  });

  test('an aborted signal cancels before reading', async () => {
    const error = await carpError(createFileSource(credentialsFile(FULL)).readOvhCredentials({ signal: AbortSignal.abort() }));
    assert.equal(error.isCanceled, true);
  });
});
