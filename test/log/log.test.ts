import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { LogConfig } from '../../src/config/types.ts';
import { openLog } from '../../src/log/index.ts';
import { registerSecret, scrubText, scrubValue } from '../../src/redact.ts';
import { createFakeLogger } from '../support/fake-logger.ts';
import { OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, VAULT_ROLE_ID, VAULT_SECRET_ID } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';
import { waitUntil } from '../support/wait.ts';

function config(dir: string, syslog: LogConfig['syslog']): LogConfig {
  return { level: 'debug', syslog, file: join(dir, 'carp-ovh.log') };
}

describe('logging', () => {
  test('syslog: one logger(1) child per priority, ident and facility from the config, human lines', async () => {
    const dir = makeTempDir('log-syslog');
    const fake = createFakeLogger(dir);
    const { log, close } = await openLog(config(dir, { tag: 'carp-ovh', facility: 'local3', logger: fake.path }), 'syslog');
    for (let i = 0; i < 5; i++) log.info({ step: i }, 'Checking IPs for MAC 00:50:56:09:3c:f2');
    log.warn({ vhid: 2 }, 'not MASTER');
    log.error({ status: 503, errorCode: 'X', queryId: 'EU.q1' }, 'claim failed');
    log.debug('details');
    await close();
    const spawns = fake.spawns().sort();
    assert.deepEqual(spawns, ['-t carp-ovh -p local3.debug', '-t carp-ovh -p local3.err', '-t carp-ovh -p local3.info', '-t carp-ovh -p local3.warning']);
    const records = fake.records();
    assert.equal(records.filter((r) => r.argv.endsWith('local3.info')).length, 5);
    assert.deepEqual(
      records.find((r) => r.argv.endsWith('local3.err')),
      { argv: '-t carp-ovh -p local3.err', line: 'claim failed status=503 errorCode=X queryId=EU.q1' },
    );
    assert.equal(records.find((r) => r.argv.endsWith('local3.info'))?.line, 'Checking IPs for MAC 00:50:56:09:3c:f2 step=0');
  });

  test('syslog: a newline in a message cannot forge a second syslog line', async () => {
    const dir = makeTempDir('log-newline');
    const fake = createFakeLogger(dir);
    const { log, close } = await openLog(config(dir, { tag: 'carp-ovh', facility: 'daemon', logger: fake.path }), 'syslog');
    log.info({ iface: 'vmx1\nkernel: carp: forged' }, 'event');
    await close();
    assert.equal(fake.records().length, 1);
  });

  test('syslog: a missing logger(1) falls back to stderr instead of losing lines', async () => {
    const dir = makeTempDir('log-nologger');
    const { log, close } = await openLog(config(dir, { tag: 'carp-ovh', facility: 'daemon', logger: join(dir, 'missing') }), 'syslog');
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      log.info('first');
      // The missing logger(1) is found out when its spawn fails; after that, lines go straight to stderr.
      await waitUntil('the notice that logger(1) cannot run', () => written.some((line) => line.includes('cannot run')), { seen: () => written });
      log.info('second');
      await close();
    } finally {
      process.stderr.write = original;
    }
    assert.ok(
      written.some((line) => line.includes('cannot run')),
      written.join(''),
    );
    assert.ok(
      written.some((line) => line.startsWith('first')),
      written.join(''),
    );
    assert.ok(
      written.some((line) => line.startsWith('second')),
      written.join(''),
    );
  });

  test('file target: JSON lines appended, file mode 0600', async () => {
    const dir = makeTempDir('log-file');
    const cfg = config(dir, null);
    const first = await openLog(cfg, 'file');
    first.log.info({ vhid: 2 }, 'one');
    await first.close();
    const second = await openLog(cfg, 'file');
    second.log.info('two');
    await second.close();
    const lines = readFileSync(cfg.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['one', 'two'],
    );
    assert.equal(lines[0]?.level, 30);
  });

  test('redaction: secret-named keys anywhere, registered values anywhere, tokens and signatures by shape', async () => {
    const dir = makeTempDir('log-redact');
    const cfg = config(dir, null);
    registerSecret(OVH_APPLICATION_SECRET);
    const { log, close } = await openLog(cfg, 'file');
    log.info(
      {
        credentials: { application_secret: OVH_APPLICATION_SECRET, consumer_key: OVH_CONSUMER_KEY, application_key: 'ak-visible' },
        auth: { role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID },
        headers: { 'X-Ovh-Signature': '$1$' + 'a'.repeat(40), 'X-Vault-Token': 'hvs.abcdefghijkl' },
        nested: [{ deeper: { clientToken: 'hvs.zzzzzzzzzzzz' } }],
      },
      `message quoting ${OVH_APPLICATION_SECRET} and token hvs.CAESIJ1234567890`,
    );
    log.error({ err: Object.assign(new Error(`boom ${OVH_APPLICATION_SECRET}`), { secret_id: VAULT_SECRET_ID }) }, 'failed');
    await close();
    const text = readFileSync(cfg.file, 'utf8');
    for (const secret of [
      OVH_APPLICATION_SECRET,
      OVH_CONSUMER_KEY,
      VAULT_ROLE_ID,
      VAULT_SECRET_ID,
      'hvs.abcdefghijkl',
      'hvs.zzzzzzzzzzzz',
      'hvs.CAESIJ',
      '$1$aaaa',
    ]) {
      assert.ok(!text.includes(secret), `${secret.slice(0, 8)} leaked: ${text}`);
    }
    assert.match(text, /ak-visible/);
    assert.match(text, /\[REDACTED\]/);
  });

  test('scrubValue survives cycles and leaves ordinary data alone', () => {
    const cyclic: Record<string, unknown> = { a: 1, token_ttl: 300 };
    cyclic.self = cyclic;
    assert.deepEqual(scrubValue(cyclic), { a: 1, token_ttl: 300, self: '[circular]' });
    assert.equal(scrubText('51.68.252.230 on 00:50:56:09:3c:f2'), '51.68.252.230 on 00:50:56:09:3c:f2');
  });
});
