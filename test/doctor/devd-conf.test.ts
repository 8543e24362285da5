/** The devd.conf reader doctor uses to find rules that would outrank or be hidden by ours. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionOf, blockMatches, parseDevdConf } from '../../src/platform/freebsd/devd-conf.ts';
import { wrap } from '../../src/cli/output/text.ts';

const EVENT = { system: 'CARP', subsystem: '2@vmx1', type: 'MASTER' };

test('blocks, priorities, comments, quoted strings and actions', () => {
  const blocks = parseDevdConf(
    `# a comment "notify 999 {"
options { directory "/etc/devd"; set scsi-controller-regex "(aac|adv)[0-9]+"; };
/* notify 500 { match "system" "CARP"; }; */
notify 100 { // trailing comment
	match "system"		"CARP";
	match "subsystem"	"[0-9]+@[0-9a-z_.]+";
	action "/usr/local/bin/node /x/cli.js hook $subsystem $type";
};
notify 0 { match "system" "IFNET"; action "logger \\"quoted\\""; };
`,
    'test.conf',
  );
  assert.deepEqual(
    blocks.map((b) => [b.kind, b.priority]),
    [
      ['options', 0],
      ['notify', 100],
      ['notify', 0],
    ],
  );
  assert.equal(actionOf(blocks[1]!), '/usr/local/bin/node /x/cli.js hook $subsystem $type');
  assert.equal(actionOf(blocks[2]!), 'logger "quoted"');
  assert.equal(blockMatches(blocks[1]!, EVENT), true);
  assert.equal(blockMatches(blocks[2]!, EVENT), false);
});

test('matching as devd does: anchored, case-insensitive, nomatch and ! invert, unknown regexes count as matching', () => {
  const one = (body: string) => parseDevdConf(`notify 1 { ${body} };`, 'x')[0]!;
  assert.equal(blockMatches(one('match "system" "carp";'), EVENT), true);
  assert.equal(blockMatches(one('match "subsystem" "2@vmx";'), EVENT), false, 'anchored at both ends');
  assert.equal(blockMatches(one('match "subsystem" "[0-9]+@[0-9a-z.]+";'), { ...EVENT, subsystem: '2@vlan_1' }), false, "the man page's class misses _");
  assert.equal(blockMatches(one('nomatch "type" "BACKUP";'), EVENT), true);
  assert.equal(blockMatches(one('match "type" "!MASTER";'), EVENT), false);
  assert.equal(blockMatches(one('match "subsystem" "$scsi-controller-regex";'), EVENT), true);
  assert.equal(blockMatches(one('match "notify" "0x01";'), EVENT), false, 'a variable the event lacks is empty');
});

test('wrap keeps to the width and cuts words longer than a line', () => {
  const lines = wrap(`short words then /a/very/long/path/${'x'.repeat(100)} end`, 'PASS  ', '      ', 40);
  for (const line of lines) assert.ok(line.length <= 40, line);
  assert.equal(lines[0], 'PASS  short words then');
  assert.equal(lines.at(-1)?.endsWith(' end'), true);
});
