import { existsSync } from 'node:fs';
import type { InstallLayout } from '../core/ports/index.ts';
import { underRoot } from '../root-path.ts';

export { underRoot };

/** Where carp-ovh's files go on a FreeBSD or OPNsense router (before any --root prefix). */
export const LAYOUT: InstallLayout = {
  devdRule: '/usr/local/etc/devd/carp-ovh.conf',
  syshook: '/usr/local/etc/rc.syshook.d/carp/50-carp-ovh',
  cronFile: '/etc/cron.d/carp-ovh',
  rcScript: '/usr/local/etc/rc.d/carp_ovh',
  serviceStatusDir: '/usr/local/etc/rc.carp_service_status.d',
  devdDirs: ['/etc/devd', '/usr/local/etc/devd'],
  devdFiles: ['/etc/devd.conf'],
};

/** What `install` wrote, so `uninstall` removes exactly that. */
export const MANIFEST_PATH = '/var/db/carp-ovh/install-manifest.json';

/**
 * OPNsense runs its own devd rule for CARP (priority 101) and then the scripts in
 * rc.syshook.d/carp/, so carp-ovh goes there instead of into devd.
 */
export function isOpnsense(root: string): boolean {
  return existsSync(underRoot(root, '/usr/local/opnsense')) || existsSync(underRoot(root, '/usr/local/sbin/opnsense-version'));
}
