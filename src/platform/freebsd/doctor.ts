import type { FailoverEntry } from '../../config/types.ts';
import { fail, pass, skip, warn } from '../../core/doctor/checklist.ts';
import type { Check, PlatformDoctorContext } from '../../core/ports/index.ts';
import { describeError } from '../../errors.ts';
import type { CarpInterface, FreeBsdCarp } from './types.ts';

/** Doctor's `platform` group on FreeBSD: ifconfig and sysctl, each interface and vhid, preempt and log. */

type InterfaceReading = { ok: true; iface: CarpInterface | null } | { ok: false; error: string };

export async function freeBsdDoctorChecks({ config, files }: PlatformDoctorContext, carp: FreeBsdCarp): Promise<Check[]> {
  const checks: Check[] = [];
  const tools = { ifconfig: config.platform.ifconfig, sysctl: config.platform.sysctl };
  const usable: Record<string, boolean> = {};
  for (const [tool, path] of Object.entries(tools)) {
    usable[tool] = await files.executable(path);
    checks.push(
      usable[tool]
        ? pass('platform', `platform.${tool}`, tool, `${path} is executable`)
        : fail(
            'platform',
            `platform.${tool}`,
            tool,
            `${path} is missing or not executable`,
            `set platform.${tool} to the absolute path of ${tool} (/sbin/${tool} on FreeBSD).`,
          ),
    );
  }

  const interfaces = new Map<string, InterfaceReading>();
  const names = [...new Set(config.failover.map((entry) => entry.interface))];
  await Promise.all(
    names.map(async (name) => {
      if (usable.ifconfig !== true) {
        interfaces.set(name, { ok: false, error: 'ifconfig is not usable' });
        return;
      }
      try {
        interfaces.set(name, { ok: true, iface: await carp.readInterface(name) });
      } catch (error) {
        interfaces.set(name, { ok: false, error: describeError(error) });
      }
    }),
  );
  for (const name of names) checks.push(interfaceCheck(name, interfaces.get(name), config.failover));
  for (const entry of config.failover) checks.push(vhidCheck(entry, interfaces.get(entry.interface)));

  if (usable.sysctl === true) checks.push(...(await sysctlChecks(carp)));
  else for (const id of ['preempt', 'log']) checks.push(skip('platform', `sysctl.${id}`, `net.inet.carp.${id}`, 'sysctl is not usable'));
  return checks;
}

function interfaceCheck(name: string, reading: InterfaceReading | undefined, entries: FailoverEntry[]): Check {
  const id = `carp.interface:${name}`;
  const title = `interface ${name}`;
  if (reading === undefined || !reading.ok) {
    return fail(
      'platform',
      id,
      title,
      `cannot read ${name}: ${reading?.ok === false ? reading.error : 'not read'}`,
      'fix platform.ifconfig, then run doctor again.',
    );
  }
  if (reading.iface === null) {
    return fail('platform', id, title, `${name} does not exist`, `correct failover[].interface (ifconfig -l lists the interfaces).`);
  }
  const override = entries.find((entry) => entry.interface === name && entry.mac !== null)?.mac ?? null;
  if (reading.iface.ether === null && override === null) {
    return fail(
      'platform',
      id,
      title,
      `${name} shows no ether address, so carp-ovh cannot tell OVH which MAC to route to`,
      'set failover[].mac to the MAC OVH knows for this router.',
    );
  }
  const mac = override === null ? `ether ${reading.iface.ether}` : `MAC ${override} (failover[].mac)`;
  return pass('platform', id, title, `exists, ${mac}`);
}

function vhidCheck(entry: FailoverEntry, reading: InterfaceReading | undefined): Check {
  const key = `${entry.vhid}@${entry.interface}`;
  const id = `carp.vhid:${key}`;
  const title = `vhid ${key}`;
  if (reading === undefined || !reading.ok || reading.iface === null) return skip('platform', id, title, `interface ${entry.interface} could not be read`);
  const vhid = reading.iface.vhids.find((v) => v.vhid === entry.vhid);
  if (vhid === undefined) {
    return fail(
      'platform',
      id,
      title,
      `no vhid ${entry.vhid} on ${entry.interface}`,
      `configure it (ifconfig ${entry.interface} vhid ${entry.vhid} pass … alias ${entry.addresses[0] ?? 'VIP'}/32) or correct failover[].vhid.`,
    );
  }
  const detail = `${vhid.state} (advbase ${vhid.advbase}, advskew ${vhid.advskew})`;
  // With `alias` the VIPs live on the alias interface while MASTER, not on the vhid (doctor's alias check).
  const missing = entry.alias !== undefined ? [] : entry.addresses.filter((address) => !vhid.addresses.includes(address));
  if (missing.length > 0) {
    return warn(
      'platform',
      id,
      title,
      `${detail}; ${missing.join(', ')} not configured with vhid ${entry.vhid}, so this router will not answer for it`,
      `add it: ifconfig ${entry.interface} vhid ${entry.vhid} pass … alias ${missing[0]}/32.`,
    );
  }
  if (vhid.state === 'INIT') {
    return warn(
      'platform',
      id,
      title,
      `${detail}: the parent link is down or net.inet.carp.allow=0`,
      `bring ${entry.interface} up and check net.inet.carp.allow.`,
    );
  }
  return pass('platform', id, title, detail);
}

async function sysctlChecks(carp: FreeBsdCarp): Promise<Check[]> {
  const read = async (name: string): Promise<{ value: number | null; error: string | null }> => {
    try {
      const text = (await carp.readSysctl(name)).trim();
      return { value: /^-?\d+$/.test(text) ? Number(text) : null, error: null };
    } catch (error) {
      return { value: null, error: describeError(error) };
    }
  };
  const [preempt, log] = await Promise.all([read('net.inet.carp.preempt'), read('net.inet.carp.log')]);
  const checks: Check[] = [];
  if (preempt.value === 1) {
    checks.push(pass('platform', 'sysctl.preempt', 'net.inet.carp.preempt', '1: a healthy BACKUP takes over from a demoted MASTER'));
  } else {
    const found = preempt.error ?? `is ${preempt.value ?? 'unreadable'}`;
    checks.push(
      fail(
        'platform',
        'sysctl.preempt',
        'net.inet.carp.preempt',
        `${found}: without preemption a demoted MASTER keeps the VIP, so demoting a router that cannot reach OVH or Vault changes nothing until it dies`,
        'run sysctl net.inet.carp.preempt=1 and add net.inet.carp.preempt=1 to /etc/sysctl.conf, on both routers.',
      ),
    );
  }
  if (log.value !== null && log.value > 0) {
    checks.push(pass('platform', 'sysctl.log', 'net.inet.carp.log', `${log.value}: CARP transitions reach the kernel log`));
  } else {
    checks.push(
      warn(
        'platform',
        'sysctl.log',
        'net.inet.carp.log',
        `${log.error ?? `is ${log.value ?? 'unreadable'}`}: CARP state changes are not logged, which leaves a failover without its first line`,
        'run sysctl net.inet.carp.log=1 and add it to /etc/sysctl.conf.',
      ),
    );
  }
  return checks;
}
