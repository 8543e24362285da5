import { isAbsolute } from 'node:path';
import type { Config } from '../../config/types.ts';
import type { Platform } from '../../core/ports/index.ts';
import type { CarpInterface, FreeBsdCarp } from './types.ts';
import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import { parseIfconfig } from './ifconfig-parse.ts';
import { validateInterfaceName, validateIpv4, validateSysctlName } from './names.ts';
import { firstLine, platformError, runTool, toolFailed, type ToolRun } from '../run-tool.ts';
import { DEMOTION_SYSCTL, freeBsdPlatform } from './platform.ts';

/**
 * FreeBSD's CARP commands: `ifconfig IFACE` for states and the NIC's MAC,
 * `sysctl net.inet.carp.demotion` for the demotion counter (a write ADDS).
 * Commands run by absolute path, without a shell, under a deadline.
 */

export interface FreeBsdCarpOptions {
  /** Absolute path, config key platform.ifconfig (FreeBSD: /sbin/ifconfig). */
  ifconfig: string;
  /** Absolute path, config key platform.sysctl (FreeBSD: /sbin/sysctl). */
  sysctl: string;
  /** Per command; the command is killed when it runs out. */
  timeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
export { DEMOTION_SYSCTL };

type Tool = 'ifconfig' | 'sysctl';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function checkPath(tool: Tool, path: unknown): string {
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new CarpOvhError(
      `platform.${tool} must be an absolute path (devd runs commands with PATH=/sbin:/bin:/usr/sbin:/usr/bin), got ${JSON.stringify(path)}`,
      { source: 'config', badInput: true },
    );
  }
  return path;
}

function parseInteger(text: string, result: ToolRun): number {
  const trimmed = text.trim();
  const value = /^-?\d{1,10}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw platformError(`${result.command} printed ${JSON.stringify(firstLine(text))}, not an integer`, { badInput: true });
  }
  return value;
}

export function createFreeBsdCarp(options: FreeBsdCarpOptions): FreeBsdCarp {
  const paths: Record<Tool, string> = {
    ifconfig: checkPath('ifconfig', options.ifconfig),
    sysctl: checkPath('sysctl', options.sysctl),
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;

  function invoke(tool: Tool, args: string[]): Promise<ToolRun> {
    const where = `set platform.${tool} in the configuration to the absolute path of ${tool} (/sbin/${tool} on FreeBSD)`;
    return runTool({ name: tool, path: paths[tool], where }, args, timeoutMs);
  }

  async function readDemotion(): Promise<number> {
    const result = await invoke('sysctl', ['-n', DEMOTION_SYSCTL]);
    if (result.exitCode !== 0) {
      const hint = /unknown oid/.test(result.stderr) ? ' (is carp(4) loaded? kldload carp, or carp_load="YES" in /boot/loader.conf)' : '';
      throw toolFailed(result, hint);
    }
    return parseInteger(result.stdout, result);
  }

  return {
    async readInterface(name: string): Promise<CarpInterface | null> {
      validateInterfaceName(name);
      const result = await invoke('ifconfig', [name]);
      if (result.exitCode !== 0) {
        if (/\binterface \S+ does not exist\b/.test(result.stderr)) return null;
        throw toolFailed(result);
      }
      try {
        return parseIfconfig(result.stdout, name);
      } catch (error) {
        if (!isCarpOvhError(error)) throw error;
        throw platformError(`${result.command}: ${error.message}`, { badInput: true, cause: error });
      }
    },

    readDemotion,

    async addDemotion(delta: number): Promise<number> {
      if (!Number.isSafeInteger(delta) || delta < INT32_MIN || delta > INT32_MAX) {
        throw platformError(`demotion change must be a 32-bit integer, got ${String(delta)}`, { badInput: true });
      }
      // Writing 0 would only log "demoted by 0": reading gives the same answer.
      if (delta === 0) return readDemotion();
      const result = await invoke('sysctl', [`${DEMOTION_SYSCTL}=${delta}`]);
      if (result.exitCode !== 0) throw toolFailed(result);
      // sysctl shows the old value, writes, then reads back: "name: old -> new".
      const match = /^net\.inet\.carp\.demotion: (-?\d+) -> (-?\d+)$/m.exec(result.stdout);
      if (match?.[2] === undefined) {
        throw platformError(
          `${result.command} answered ${JSON.stringify(firstLine(result.stdout))}, not "${DEMOTION_SYSCTL}: old -> new"; ` +
            `the write may have happened: read ${DEMOTION_SYSCTL} before retrying`,
          { badInput: true },
        );
      }
      return Number(match[2]);
    },

    async addAlias(iface: string, address: string): Promise<void> {
      validateInterfaceName(iface);
      validateIpv4(address);
      const result = await invoke('ifconfig', [iface, 'inet', `${address}/32`, 'alias']);
      if (result.exitCode !== 0) throw toolFailed(result);
    },

    async removeAlias(iface: string, address: string): Promise<void> {
      validateInterfaceName(iface);
      validateIpv4(address);
      const result = await invoke('ifconfig', [iface, 'inet', address, '-alias']);
      if (result.exitCode !== 0) throw toolFailed(result);
    },

    async readSysctl(name: string): Promise<string> {
      validateSysctlName(name);
      const result = await invoke('sysctl', ['-n', name]);
      if (result.exitCode !== 0) throw toolFailed(result);
      return result.stdout.endsWith('\n') ? result.stdout.slice(0, -1) : result.stdout;
    },
  };
}

/** The wiring's entry point (src/cli/wiring/adapters.ts): the Platform port for this config. */
export function createPlatform(config: Config): Platform {
  const carp = createFreeBsdCarp({ ifconfig: config.platform.ifconfig, sysctl: config.platform.sysctl, timeoutMs: config.platform.timeoutMs });
  return freeBsdPlatform(carp, config.health.demotion);
}
