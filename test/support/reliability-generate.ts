/**
 * Seeded generators for the bad-input tests: hostile hook arguments and
 * mutations of a valid config. A seed reproduces a failure exactly.
 */

/** mulberry32: small, fast, good enough to pick test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Pick {
  int(min: number, max: number): number;
  one<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function picker(random: () => number): Pick {
  return {
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
    one: (items) => items[Math.floor(random() * items.length)] as (typeof items)[number],
    chance: (p) => random() < p,
  };
}

export type HookInputKind = 'shell' | 'unicode' | 'control' | 'huge' | 'empty' | 'near-miss' | 'arity';

export interface HookInput {
  kind: HookInputKind;
  args: string[];
}

const SHELL = [
  ';',
  '|',
  '&',
  '&&',
  '||',
  '$(',
  ')',
  '`',
  '<',
  '>',
  '>>',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  "'",
  '"',
  '\\',
  '!',
  '#',
  '~',
  '$IFS',
  '${PATH}',
  '\n',
  ' ',
  '\t',
  '%s%n',
  '../',
];
const UNICODE = [
  'х', // Cyrillic ha, looks like x
  'а', // Cyrillic a
  'ⅰ', // small roman numeral one
  '２', // full-width two
  '١', // Arabic-Indic one
  '\u00a0', // no-break space
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\u202e', // right-to-left override
  '\ufeff', // byte order mark
  'ı', // dotless i: uppercases to I
  'ſ', // long s: uppercases to S
  'K', // Kelvin sign: lowercases to k
  'é',
  'e\u0301', // e + combining acute
  '🚀',
  '\ud800', // lone surrogate
  'Ⓜ',
  'ＭＡＳＴＥＲ',
];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u001b', '\u001b[31m', '\u007f', '\u0085', '\u009b'];
const TYPES = ['MASTER', 'BACKUP', 'INIT', 'master', 'Backup'];
const GOOD_SUBSYSTEMS = ['2@vmx1', '1@em0', '255@vlan0.100', '3@lagg_0'];
const NEAR_MISS_SUBSYSTEMS = [
  '0@vmx1',
  '256@vmx1',
  '1000@vmx1',
  '02@vmx1',
  '-2@vmx1',
  '+2@vmx1',
  '2.0@vmx1',
  '0x2@vmx1',
  ' 2@vmx1',
  '2 @vmx1',
  '2@ vmx1',
  '2@vmx1 ',
  '2@',
  '@vmx1',
  '2',
  'vmx1',
  '2@@vmx1',
  '2@vmx1@vmx2',
  '2@VMX1',
  '2@Vmx1',
  '2@1vmx',
  '2@_vmx1',
  '2@.vmx1',
  '2@vmx..1',
  '2@abcdefghijklmnop',
  '2@vmx-1',
  '2@vmx/1',
  '2@../../etc',
  '2@vmx1/..',
  '2#vmx1',
  '2:vmx1',
  '2%40vmx1',
  '99999999999999999999@vmx1',
  'NaN@vmx1',
  'Infinity@vmx1',
  '1e2@vmx1',
];
const NEAR_MISS_TYPES = [
  'MASTERR',
  'MASTE',
  'MAS',
  'BACKUPS',
  'INITIAL',
  'PRIMARY',
  'SLAVE',
  'master ',
  ' MASTER',
  'MASTER\n',
  'M@STER',
  'MAST3R',
  'mAsTeR-',
  'INIT0',
  '1',
  'true',
  'null',
  'undefined',
  '-',
  '--',
  '--wait',
  'MASTER=1',
];

function mutateWith(pick: Pick, base: string, pieces: readonly string[], count: number): string {
  let out = base;
  for (let i = 0; i < count; i++) {
    const at = pick.int(0, out.length);
    out = `${out.slice(0, at)}${pick.one(pieces)}${out.slice(at)}`;
  }
  return out;
}

/**
 * `count` argument lists that the hook must refuse. Shell payloads try to
 * `touch marker`, so a test can prove nothing ran. Each list has at least one
 * bad argument; a list that happens to be valid is never produced.
 */
export function hostileHookArgs(seed: number, count: number, marker: string): HookInput[] {
  const pick = picker(prng(seed));
  const payloads = [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `;touch ${marker}`,
    `|touch ${marker}`,
    `&&touch ${marker}`,
    `\ntouch ${marker}\n`,
    `>${marker}`,
  ];
  const out: HookInput[] = [];
  const makers: Array<() => HookInput> = [
    () => {
      // Every piece holds a character neither check accepts, so the mutated argument is always bad.
      const onSubsystem = pick.chance(0.5);
      const bad = mutateWith(pick, onSubsystem ? pick.one(GOOD_SUBSYSTEMS) : pick.one(TYPES), pick.chance(0.5) ? payloads : SHELL, pick.int(1, 3));
      return { kind: 'shell', args: onSubsystem ? [bad, pick.one(TYPES)] : [pick.one(GOOD_SUBSYSTEMS), bad] };
    },
    () => {
      // Every piece is outside ASCII, and both checks accept ASCII only.
      const onSubsystem = pick.chance(0.5);
      const bad = mutateWith(pick, onSubsystem ? pick.one(GOOD_SUBSYSTEMS) : pick.one(TYPES), UNICODE, pick.int(1, 2));
      return { kind: 'unicode', args: onSubsystem ? [bad, pick.one(TYPES)] : [pick.one(GOOD_SUBSYSTEMS), bad] };
    },
    () => {
      const onSubsystem = pick.chance(0.5);
      const bad = mutateWith(pick, onSubsystem ? pick.one(GOOD_SUBSYSTEMS) : pick.one(TYPES), CONTROL, pick.int(1, 3));
      return { kind: 'control', args: onSubsystem ? [bad, pick.one(TYPES)] : [pick.one(GOOD_SUBSYSTEMS), bad] };
    },
    () => {
      const size = pick.one([256, 4096, 65_536, 200_000]);
      const filler = pick.one(['a', '9', 'M', '@', '$(x)', 'é']);
      const bad = pick.chance(0.5) ? `2@${filler.repeat(size)}` : `${'9'.repeat(size)}@vmx1`;
      return { kind: 'huge', args: pick.chance(0.7) ? [bad, pick.one(TYPES)] : [pick.one(GOOD_SUBSYSTEMS), 'MASTER'.repeat(size / 6)] };
    },
    () => ({
      kind: 'empty',
      args: pick.one([
        ['', 'MASTER'],
        ['2@vmx1', ''],
        ['', ''],
        [' ', 'MASTER'],
        ['2@vmx1', ' '],
      ]),
    }),
    () =>
      pick.chance(0.6)
        ? { kind: 'near-miss', args: [pick.one(NEAR_MISS_SUBSYSTEMS), pick.one(TYPES)] }
        : { kind: 'near-miss', args: [pick.one(GOOD_SUBSYSTEMS), pick.one(NEAR_MISS_TYPES)] },
    () => {
      const n = pick.one([0, 1, 3, 4, 10]);
      return { kind: 'arity', args: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? pick.one(GOOD_SUBSYSTEMS) : pick.one(TYPES))) };
    },
  ];
  while (out.length < count) out.push(pick.one(makers)());
  return out;
}

/** Valid events, to prove the validator is not simply refusing everything. */
export function validHookArgs(seed: number, count: number): Array<{ args: [string, string]; vhid: number; iface: string; type: string }> {
  const pick = picker(prng(seed));
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const rest = `${letters}0123456789_.`;
  const out: Array<{ args: [string, string]; vhid: number; iface: string; type: string }> = [];
  while (out.length < count) {
    const vhid = pick.int(1, 255);
    let iface = pick.one([...letters]);
    const length = pick.int(1, 15);
    while (iface.length < length) {
      const next = pick.one([...rest]);
      if (next === '.' && iface.endsWith('.')) continue;
      iface += next;
    }
    const type = pick.one(['MASTER', 'BACKUP', 'INIT']);
    const cased = pick.one([type, type.toLowerCase(), type[0] + type.slice(1).toLowerCase()]);
    out.push({ args: [`${vhid}@${iface}`, cased], vhid, iface, type });
  }
  return out;
}
