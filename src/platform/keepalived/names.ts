import { CarpOvhError } from '../../errors.ts';

/**
 * Names that reach argv, state file names and log lines. keepalived itself takes
 * any whitespace-free word as a vrrp_instance name; carp-ovh takes a safe subset
 * of that (no `/`, which would leave the state directory, no quotes or `$`,
 * which keepalived's own config parser treats specially), the same one the
 * configuration's `vrrp_instance` key accepts, and refuses the rest.
 */

/** Letters, digits and `_ . -`, starting with a letter or digit, 1 to 64 characters. */
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no `/`, `:` or whitespace; the usual subset. */
const INTERFACE = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,14}$/;

export const INSTANCE_RULE = 'letters, digits and _ . -, starting with a letter or digit, at most 64 characters';

/** Printable and short, for an error message about a value that failed validation. */
export function shown(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(cut).replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function isInstanceName(name: unknown): name is string {
  return typeof name === 'string' && INSTANCE.test(name);
}

export function validateLinuxInterface(name: unknown): string {
  if (typeof name !== 'string' || !INTERFACE.test(name) || name === '.' || name.includes('..')) {
    throw new CarpOvhError(`invalid interface name ${shown(name)}: expected letters, digits and _ . @ -, at most 15 characters`, {
      source: 'platform',
      badInput: true,
    });
  }
  return name;
}
