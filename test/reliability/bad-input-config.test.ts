/**
 * Random mutations of a valid config (seeded, reproducible): each either still
 * loads, or is refused as bad input with every problem given as FILE:LINE: key,
 * never a stack trace or a JavaScript exception. A sample goes through
 * `carp-ovh config check` the way an operator runs it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { isCarpOvhError } from '../../src/errors.ts';
import { runCli } from '../support/cli.ts';
import { picker, prng, type Pick } from '../support/reliability-generate.ts';
import { makeTempDir } from '../support/tmp.ts';

const SEED = 20_261_121;
const IN_PROCESS = 400;
const SUBPROCESS = 20;

const VALID = `ovh:
  url: https://127.0.0.1:8443/1.0
  ca: /usr/local/share/certs/ovh-ca.pem
  timeout: 10s
  poll_interval: 1s
  deadline: 180s
  max_rpm: 60
  retries: 3
  credentials:
    vault:
      config: /usr/local/etc/secrets/carp-secretsmith.yaml
      mount: apps
      path: network/carp-hyper-001-switch
      kv_version: 2
      timeout: 5s
failover:
  - vhid: 2
    interface: vmx1
    addresses: [51.68.252.230, 51.68.252.231]
    via: virtual-mac
    server: ns3000000.ip-1-2-3.eu
    vm_name: router-002
  - vhid: 3
    interface: vlan0.100
    addresses: [51.68.252.232]
    server: ns3000000.ip-1-2-3.eu
    mac: 00:50:56:09:3c:f2
platform:
  ifconfig: /sbin/ifconfig
  sysctl: /sbin/sysctl
  timeout: 5s
health:
  scripts: /usr/local/etc/rc.carp_service_status.d
  demotion: 1048576
  fall: 2
  rise: 3
  claim_hold: 5m
  probe_timeout: 10s
  script_timeout: 10s
state_dir: /var/db/carp-ovh
log:
  level: info
  syslog: { tag: carp-ovh, facility: daemon, logger: /usr/bin/logger }
`;

const HOSTILE_VALUES: unknown[] = [
  42,
  -1,
  0,
  1.5,
  2 ** 53,
  1e300,
  '',
  ' ',
  'x'.repeat(5000),
  true,
  false,
  null,
  [],
  {},
  ['a'],
  { a: 1 },
  '51.68.252.999',
  '../../etc/passwd',
  'relative/path',
  '$(touch /tmp/pwned)',
  '\u202eevil',
  'tab\there',
  'ovh-eu; rm -rf /',
  '1000h',
  '-5s',
  '10 s',
  '0x10',
  'NaN',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every node of a parsed YAML value. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...prefix, key]));
  return out;
}

function parentOf(root: Json, path: Array<string | number>): { parent: Json; key: string | number } | null {
  if (path.length === 0) return null;
  let node: Json = root;
  for (const segment of path.slice(0, -1)) node = (node as Record<string | number, Json>)[segment] as Json;
  return { parent: node, key: path.at(-1) as string | number };
}

function typo(pick: Pick, word: string): string {
  if (word.length < 2) return `${word}x`;
  const at = pick.int(0, word.length - 1);
  return pick.one([
    `${word.slice(0, at)}${word.slice(at + 1)}`,
    `${word.slice(0, at)}_${word.slice(at)}`,
    word.toUpperCase(),
    `${word}s`,
    word.replace('_', '-'),
  ]);
}

/** One mutation of the valid config: of its structure (then re-serialised) or of its text. */
function mutate(pick: Pick): { how: string; text: string } {
  const lines = VALID.split('\n');
  const structural = pick.chance(0.6);
  if (structural) {
    const root = parse(VALID) as Json;
    const candidates = paths(root).filter((p) => p.length > 0);
    const target = pick.one(candidates);
    const found = parentOf(root, target);
    assert.ok(found !== null);
    const { parent, key } = found;
    const container = parent as Record<string | number, Json>;
    const op = pick.int(0, 4);
    let how: string;
    if (op === 0) {
      const value = pick.one(HOSTILE_VALUES) as Json;
      container[key] = value;
      how = `set ${target.join('.')} to ${JSON.stringify(value).slice(0, 40)}`;
    } else if (op === 1) {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
      how = `delete ${target.join('.')}`;
    } else if (op === 2 && !Array.isArray(container)) {
      const renamed = typo(pick, String(key));
      container[renamed] = container[key] as Json;
      if (renamed !== key) delete container[key];
      how = `rename ${target.join('.')} to ${renamed}`;
    } else if (op === 3) {
      container[key] = [container[key] as Json];
      how = `wrap ${target.join('.')} in a list`;
    } else {
      const extra = pick.one(['timeout', 'deadline', 'vhid', 'addresses', 'syslog', 'verify', 'password', 'unknown_key']);
      if (Array.isArray(container)) container.push({ [extra]: 1 });
      else container[`${extra}${pick.chance(0.5) ? '' : '_x'}`] = pick.one(HOSTILE_VALUES) as Json;
      how = `add ${extra} next to ${target.join('.')}`;
    }
    return { how, text: stringify(root) };
  }
  const op = pick.int(0, 6);
  const at = pick.int(0, lines.length - 1);
  switch (op) {
    case 0:
      lines.splice(at, 1);
      return { how: `delete line ${at + 1}`, text: lines.join('\n') };
    case 1:
      lines.splice(at, 0, lines[at] ?? '');
      return { how: `duplicate line ${at + 1}`, text: lines.join('\n') };
    case 2: {
      const indent = pick.one([' ', '  ', '\t', '-']);
      lines[at] = pick.chance(0.5) ? `${indent}${lines[at]}` : (lines[at] ?? '').replace(/^ {1,2}/, '');
      return { how: `re-indent line ${at + 1}`, text: lines.join('\n') };
    }
    case 3: {
      const text = VALID;
      const pos = pick.int(0, text.length);
      const char = pick.one([':', '-', '[', ']', '{', '}', '"', "'", '#', '&', '*', '!', '|', '>', '%', '@', '`', '\t', '\n', '\u0000', '\u00a0', ',', '?']);
      return { how: `insert ${JSON.stringify(char)} at ${pos}`, text: `${text.slice(0, pos)}${char}${text.slice(pos)}` };
    }
    case 4: {
      const pos = pick.int(0, VALID.length - 1);
      return { how: `truncate at ${pos}`, text: VALID.slice(0, pos) };
    }
    case 5:
      return pick.one([
        { how: 'empty file', text: '' },
        { how: 'only a comment', text: '# nothing here\n' },
        { how: 'a scalar', text: 'carp-ovh\n' },
        { how: 'a list', text: '- ovh\n- failover\n' },
        { how: 'binary garbage', text: '\u0000\u0001\u00ff\u00fe\u0007PK\u0003\u0004' },
        { how: 'a JSON config', text: JSON.stringify(parse(VALID)) },
        { how: 'two documents', text: `${VALID}---\n${VALID}` },
      ]);
    default:
      return pick.one([
        {
          how: 'an alias bomb',
          text:
            'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n' +
            `d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n${VALID}`,
        },
        { how: 'a !!binary tag', text: VALID.replace('mount: apps', 'mount: !!binary aGVsbG8=') },
        { how: 'a js/function tag', text: VALID.replace('level: info', 'level: !!js/function "function(){}"') },
        { how: 'a merge key', text: VALID.replace('platform:\n', 'base: &base { ifconfig: /sbin/ifconfig }\nplatform:\n  <<: *base\n') },
        { how: 'a duplicate key', text: VALID.replace('  retries: 3\n', '  retries: 3\n  retries: 4\n') },
        { how: 'a YAML 1.1 boolean', text: VALID.replace('level: info', 'level: yes') },
      ]);
  }
}

function mutations(count: number): Array<{ how: string; text: string }> {
  const pick = picker(prng(SEED));
  return Array.from({ length: count }, () => mutate(pick));
}

function checkProblems(file: string, problems: readonly string[], how: string): void {
  assert.ok(problems.length > 0, `${how}: refused without a single problem`);
  const prefix = `${file}:`;
  for (const problem of problems) {
    assert.ok(problem.startsWith(prefix), `${how}: ${problem}`);
    // FILE:LINE: key: message, or FILE:LINE: YAML syntax: …; the line may be unknown (?) only when a key is named.
    const match = /^:(\d+|\?): (.+?): (.+)$/s.exec(problem.slice(file.length));
    assert.ok(match !== null, `${how}: not FILE:LINE: key: message: ${problem}`);
    const [, line, key] = match;
    assert.ok(line !== '?' || (key !== undefined && key !== '(top level)'), `${how}: neither a line nor a key: ${problem}`);
    assert.doesNotMatch(problem, /\n\s+at |TypeError|RangeError|ReferenceError/, `${how}: ${problem}`);
  }
}

describe('config: generated mutations', () => {
  const all = mutations(IN_PROCESS);
  const dir = makeTempDir('config-mutations');

  test(`the valid base config loads`, async () => {
    const path = join(dir, 'valid.yaml');
    writeFileSync(path, VALID);
    await loadConfig(path);
  });

  test(`${IN_PROCESS} mutations (seed ${SEED}) in-process: loaded, or refused with FILE:LINE: key for every problem`, async () => {
    let refused = 0;
    for (const [i, { how, text }] of all.entries()) {
      const path = join(dir, `mutation-${i}.yaml`);
      writeFileSync(path, text);
      const started = Date.now();
      try {
        await loadConfig(path);
      } catch (error) {
        assert.ok(isCarpOvhError(error), `#${i} ${how}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        assert.equal(error.badInput, true, `#${i} ${how}`);
        assert.equal(error.source, 'config', `#${i} ${how}`);
        assert.equal(error.file, path);
        checkProblems(path, error.problems, `#${i} ${how}`);
        refused++;
      }
      // No input blows up the parser (alias bombs, huge repeats): such a file takes minutes or
      // all memory, so a bound that holds on a loaded machine still catches it.
      assert.ok(Date.now() - started < 15_000, `#${i} ${how}: took ${Date.now() - started} ms`);
    }
    // Most mutations break the file; if they did not, the generator would prove little.
    assert.ok(refused >= IN_PROCESS * 0.6, `only ${refused} of ${IN_PROCESS} refused`);
  });

  test(`${SUBPROCESS} of them through \`carp-ovh config check\`: exit 0 with OK, or exit 2 naming the key, never a stack`, async () => {
    const sample = all.filter((_, i) => i % Math.floor(IN_PROCESS / SUBPROCESS) === 0).slice(0, SUBPROCESS);
    let refused = 0;
    for (let at = 0; at < sample.length; at += 4) {
      const batch = sample.slice(at, at + 4);
      const results = await Promise.all(
        batch.map(async ({ text }, i) => {
          const path = join(dir, `cli-${at + i}.yaml`);
          writeFileSync(path, text);
          return { path, result: await runCli(['config', 'check', '--config', path], { captureDir: dir }) };
        }),
      );
      results.forEach(({ path, result }, i) => {
        const how = batch[i]?.how ?? '';
        assert.doesNotMatch(result.stderr, /\n\s+at |TypeError|RangeError|ReferenceError/, `${how}: ${result.stderr}`);
        if (result.code === 0) {
          assert.match(result.stdout, /^OK /, how);
          return;
        }
        refused++;
        assert.equal(result.code, 2, `${how}: ${result.stderr}`);
        assert.match(result.stderr, new RegExp(`^carp-ovh: (invalid config|cannot read config) ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), how);
        const problems = result.stderr
          .split('\n')
          .slice(1)
          .map((line) => line.trim())
          .filter((line) => line !== '');
        checkProblems(path, problems, how);
      });
    }
    assert.ok(refused >= SUBPROCESS / 2, `only ${refused} refused`);
  });

  test('a duration longer than node timers can wait (24.8 days) is refused: it would fire after 1 ms', async () => {
    const path = join(dir, 'long-deadline.yaml');
    writeFileSync(path, VALID.replace('deadline: 180s', 'deadline: 1000h').replace('claim_hold: 5m', 'claim_hold: 600h'));
    await assert.rejects(loadConfig(path), (error: unknown) => {
      assert.ok(isCarpOvhError(error));
      assert.equal(error.problems.length, 2, error.message);
      assert.match(error.problems[0] ?? '', /:6: ovh\.deadline: expected at most 24 days/);
      assert.match(error.problems[1] ?? '', /:\d+: health\.claim_hold: expected at most 24 days/);
      return true;
    });
  });
});
