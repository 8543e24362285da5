import { dirname, isAbsolute, join } from 'node:path';

/**
 * A reader of keepalived.conf good enough for doctor: words, `{ }` blocks,
 * comments (`#` and `!` up to the end of the line), double-quoted words, and
 * `include GLOB` anywhere (keepalived splices the included text in place, so an
 * include inside a vrrp_instance block adds to that block). It does not apply
 * keepalived's `$NAME` substitutions, conditional `@id` lines or `~SEQ`: a word
 * using them is kept as written.
 */

export interface ConfNode {
  keyword: string;
  args: string[];
  children: ConfNode[] | null;
  /** Where the keyword stands: `FILE:LINE`. */
  at: string;
}

export interface ConfFiles {
  /** null when the file cannot be read. */
  readText(path: string): Promise<string | null>;
  /** Directory entries, [] when absent. */
  list(dir: string): Promise<string[]>;
}

export interface ParsedConf {
  nodes: ConfNode[];
  /** Every file read, the main one first. */
  files: string[];
  /** Includes whose pattern matched nothing or could not be read, and nesting errors. */
  problems: string[];
}

interface Token {
  text: string;
  quoted: boolean;
  at: string;
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const at = `${file}:${n + 1}`;
    let i = 0;
    while (i < line.length) {
      const c = line[i] ?? '';
      if (c === ' ' || c === '\t' || c === '\r') {
        i++;
      } else if (c === '#' || c === '!') {
        break;
      } else if (c === '{' || c === '}') {
        tokens.push({ text: c, quoted: false, at });
        i++;
      } else if (c === '"') {
        let j = i + 1;
        let word = '';
        while (j < line.length && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < line.length) j++;
          word += line[j];
          j++;
        }
        tokens.push({ text: word, quoted: true, at });
        i = j + 1;
      } else {
        let j = i;
        let word = '';
        while (j < line.length && !' \t\r{}"#!'.includes(line[j] ?? ' ')) {
          if (line[j] === '\\' && j + 1 < line.length) j++;
          word += line[j];
          j++;
        }
        tokens.push({ text: word, quoted: false, at });
        i = j;
      }
    }
    tokens.push({ text: '\n', quoted: false, at });
  }
  return tokens;
}

/** `*` and `?` in the last path component only: what keepalived's configs use in practice. */
async function expandInclude(pattern: string, base: string, files: ConfFiles): Promise<string[]> {
  const path = isAbsolute(pattern) ? pattern : join(base, pattern);
  const dir = dirname(path);
  const name = path.slice(dir.length + 1);
  if (!/[*?[]/.test(name)) return [path];
  const regex = new RegExp(
    `^${name
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return (await files.list(dir))
    .filter((entry) => regex.test(entry) && !entry.startsWith('.'))
    .sort()
    .map((entry) => join(dir, entry));
}

export async function parseKeepalivedConf(mainPath: string, files: ConfFiles): Promise<ParsedConf | null> {
  const result: ParsedConf = { nodes: [], files: [], problems: [] };

  async function read(path: string, depth: number): Promise<Token[] | null> {
    if (depth > 8) {
      result.problems.push(`${path}: includes nested more than 8 deep`);
      return [];
    }
    const text = await files.readText(path);
    if (text === null) return null;
    result.files.push(path);
    const out: Token[] = [];
    const tokens = tokenize(text, path);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as Token;
      const previous = tokens[i - 1];
      const startsLine = previous === undefined || previous.text === '\n';
      if (startsLine && !token.quoted && token.text === 'include') {
        const pattern = tokens[i + 1];
        if (pattern === undefined || pattern.text === '\n') {
          result.problems.push(`${token.at}: include without a file`);
          continue;
        }
        const paths = await expandInclude(pattern.text, dirname(path), files);
        if (paths.length === 0) result.problems.push(`${token.at}: include ${pattern.text} matches no file`);
        for (const included of paths) {
          const spliced = await read(included, depth + 1);
          if (spliced === null) result.problems.push(`${token.at}: cannot read included ${included}`);
          else out.push(...spliced);
        }
        while (i < tokens.length && tokens[i]?.text !== '\n') i++;
        out.push({ text: '\n', quoted: false, at: token.at });
        continue;
      }
      out.push(token);
    }
    return out;
  }

  const tokens = await read(mainPath, 0);
  if (tokens === null) return null;

  // Statements: the words of a line; a `{` opens the children of the statement before it.
  const stack: ConfNode[][] = [result.nodes];
  let current: ConfNode | null = null;
  for (const token of tokens) {
    const level = stack[stack.length - 1] as ConfNode[];
    if (token.text === '\n' && !token.quoted) {
      current = null;
    } else if (token.text === '{' && !token.quoted) {
      if (current === null) {
        // `{` on its own line belongs to the statement above it (keepalived allows that).
        const last = level[level.length - 1];
        if (last === undefined || last.children !== null) {
          result.problems.push(`${token.at}: "{" without a keyword`);
          current = { keyword: '', args: [], children: null, at: token.at };
          level.push(current);
        } else current = last;
      }
      current.children = [];
      stack.push(current.children);
      current = null;
    } else if (token.text === '}' && !token.quoted) {
      if (stack.length === 1) result.problems.push(`${token.at}: "}" without a block to close`);
      else stack.pop();
      current = null;
    } else if (current === null) {
      current = { keyword: token.text, args: [], children: null, at: token.at };
      level.push(current);
    } else {
      current.args.push(token.text);
    }
  }
  if (stack.length > 1) result.problems.push(`${mainPath}: ${stack.length - 1} block(s) not closed`);
  return result;
}

/** Every node with this keyword, at any depth. */
export function findAll(nodes: ConfNode[], keyword: string): ConfNode[] {
  const out: ConfNode[] = [];
  for (const node of nodes) {
    if (node.keyword === keyword) out.push(node);
    if (node.children !== null) out.push(...findAll(node.children, keyword));
  }
  return out;
}

/** The first direct child with this keyword. */
export function child(node: ConfNode, keyword: string): ConfNode | undefined {
  return node.children?.find((candidate) => candidate.keyword === keyword);
}
