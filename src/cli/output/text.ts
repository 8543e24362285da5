/** Terminal text for the operator commands: 80 columns, colour only on a terminal. */

export const WIDTH = 80;

/**
 * Word-wraps `text` to `width` columns: the first line after `first`, the rest
 * after `rest` (both counted in the width). Words longer than a line are cut.
 */
export function wrap(text: string, first: string, rest: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let prefix = first;
  const room = (): number => width - line.length;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const sep = line.length > prefix.length ? 1 : 0;
    if (word.length + sep <= room()) {
      line += (sep === 1 ? ' ' : '') + word;
      continue;
    }
    if (line.length > prefix.length) {
      lines.push(line);
      line = rest;
      prefix = rest;
    }
    let remaining = word;
    while (remaining.length > width - line.length) {
      const cut = width - line.length;
      lines.push(line + remaining.slice(0, cut));
      remaining = remaining.slice(cut);
      line = rest;
      prefix = rest;
    }
    line += remaining;
  }
  lines.push(line);
  return lines;
}

export interface Paint {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain: Paint = { green: (t) => t, yellow: (t) => t, red: (t) => t, dim: (t) => t, bold: (t) => t };
const sgr = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const ansi: Paint = { green: sgr('32'), yellow: sgr('33'), red: sgr('31'), dim: sgr('2'), bold: sgr('1') };

/** Colour when stdout is a terminal and NO_COLOR is not set (no-color.org). */
export function paintFor(isTty: boolean, env: Readonly<Record<string, string | undefined>>): Paint {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return isTty && !noColor && env.TERM !== 'dumb' ? ansi : plain;
}
