/**
 * Just enough of devd.conf(5) to answer "which notify rules would run for this
 * CARP event": blocks, their priority, match/nomatch and action statements.
 * devd anchors each match regex (^…$), matches case-insensitively, and runs
 * only the highest-priority notify whose matches all hold.
 */

export interface DevdStatement {
  keyword: string;
  args: string[];
}

export interface DevdBlock {
  kind: string;
  priority: number;
  statements: DevdStatement[];
  file: string;
}

type Token = { type: 'word' | 'string'; value: string } | { type: 'punct'; value: '{' | '}' | ';' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ type: 'punct', value: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      tokens.push({ type: 'string', value });
    } else {
      let value = '';
      while (i < text.length && !/[\s{};"]/.test(text[i] ?? '')) value += text[i++];
      tokens.push({ type: 'word', value });
    }
  }
  return tokens;
}

/** Parses one devd configuration file; unknown or malformed parts are skipped, never thrown. */
export function parseDevdConf(text: string, file: string): DevdBlock[] {
  const tokens = tokenize(text);
  const blocks: DevdBlock[] = [];
  let i = 0;
  while (i < tokens.length) {
    const head = tokens[i];
    if (head?.type !== 'word') {
      i++;
      continue;
    }
    let j = i + 1;
    let priority = 0;
    const maybePriority = tokens[j];
    if (maybePriority?.type === 'word' && /^-?\d+$/.test(maybePriority.value)) {
      priority = Number(maybePriority.value);
      j++;
    }
    if (tokens[j]?.value !== '{') {
      i = j;
      continue;
    }
    j++;
    const statements: DevdStatement[] = [];
    let current: string[] = [];
    while (j < tokens.length && tokens[j]?.value !== '}') {
      const token = tokens[j];
      if (token?.type === 'punct' && token.value === ';') {
        const [keyword, ...args] = current;
        if (keyword !== undefined) statements.push({ keyword: keyword.toLowerCase(), args });
        current = [];
      } else if (token !== undefined) {
        current.push(token.value);
      }
      j++;
    }
    blocks.push({ kind: head.value.toLowerCase(), priority, statements, file });
    i = j + 1;
  }
  return blocks;
}

/**
 * Whether a notify block would fire for an event. A regex that cannot be read
 * (a devd variable, a dialect JavaScript does not share) counts as matching:
 * doctor would rather warn about a rule than miss one that hides ours.
 */
export function blockMatches(block: DevdBlock, event: Readonly<Record<string, string>>): boolean {
  for (const statement of block.statements) {
    if (statement.keyword !== 'match' && statement.keyword !== 'nomatch') continue;
    const [key, pattern] = statement.args;
    if (key === undefined || pattern === undefined) continue;
    const hit = regexHolds(pattern, event[key] ?? '');
    if (hit === null) continue;
    if (statement.keyword === 'match' ? !hit : hit) return false;
  }
  return true;
}

function regexHolds(pattern: string, value: string): boolean | null {
  const inverted = pattern.startsWith('!');
  const body = inverted ? pattern.slice(1) : pattern;
  if (body.includes('$') && /\$[A-Za-z_{(]/.test(body)) return null;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${body})$`, 'i');
  } catch {
    return null;
  }
  return inverted ? !re.test(value) : re.test(value);
}

export function actionOf(block: DevdBlock): string | null {
  return block.statements.find((s) => s.keyword === 'action')?.args[0] ?? null;
}
