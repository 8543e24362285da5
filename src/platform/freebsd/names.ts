import { CarpOvhError } from '../../errors.ts';

/**
 * Names that reach argv. No shell is involved, but a name starting with `-`
 * would be read as an option, and `sysctl a=b` writes: both are refused here.
 */

/** Interface names as docs/cli.md states them: `[a-z][a-z0-9_.]*`, at most 15 characters (IFNAMSIZ - 1), no `..`. */
const INTERFACE = /^[a-z][a-z0-9_.]*$/;
/** A sysctl name to read: no `=`/`:` (which would make it a write), no leading `-` or `.`. */
const SYSCTL = /^[A-Za-z0-9_%][A-Za-z0-9_.%-]*$/;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}

export function validateInterfaceName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15 || !INTERFACE.test(name) || name.includes('..')) {
    throw new CarpOvhError(`invalid interface name ${show(name)}: expected [a-z][a-z0-9_.]*, at most 15 characters, no ".."`, {
      source: 'platform',
      badInput: true,
    });
  }
  return name;
}

export function validateSysctlName(name: unknown): string {
  if (typeof name !== 'string' || name.length > 128 || !SYSCTL.test(name) || name.includes('..')) {
    throw new CarpOvhError(`invalid sysctl name ${show(name)}`, { source: 'platform', badInput: true });
  }
  return name;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A dotted-quad IPv4 address for `ifconfig IF inet ADDR`: nothing ifconfig could read as a keyword or a hostname. */
export function validateIpv4(address: unknown): string {
  if (typeof address !== 'string' || !IPV4.test(address)) {
    throw new CarpOvhError(`invalid IPv4 address ${show(address)}`, { source: 'platform', badInput: true });
  }
  return address;
}
