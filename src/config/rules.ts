import { MAX_TIMER_MS } from '../duration.ts';
import { KIND_FACTS, VIA_FACTS, VIA_ONLY_KEYS } from './platform-kinds.ts';
import type { Config } from './types.ts';
import type { Problem } from './validate.ts';

/**
 * The platforms and providers this build can run (the composition root's
 * registries). Absent: every kind and via the schema allows.
 */
export interface Availability {
  kinds: readonly string[];
  vias: readonly string[];
}

/**
 * Layer 3: rules that span several keys, which a JSON Schema cannot say clearly.
 * `raw` tells which keys the operator actually wrote (defaults are not theirs).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function crossFieldProblems(config: Config, raw: any, available?: Availability): Problem[] {
  const problems: Problem[] = [];
  const kind = config.platform.kind;
  const facts = KIND_FACTS[kind];
  const kindWritten = raw.platform?.kind !== undefined;

  if (available !== undefined && !available.kinds.includes(kind)) {
    const how = kindWritten ? '' : ' (the default on this host; set platform.kind)';
    problems.push({ path: ['platform', 'kind'], message: `${kind} is not available in this build${how}; available: ${available.kinds.join(', ')}` });
  }

  if (raw.ovh.endpoint !== undefined && raw.ovh.url !== undefined) {
    problems.push({ path: ['ovh', 'url'], message: 'set either ovh.endpoint or ovh.url, not both' });
  }

  const seenKey = new Map<string, number>();
  const seenAddress = new Map<string, number>();
  const reportedVias = new Set<string>();
  config.failover.forEach((entry, index) => {
    const rawEntry = raw.failover[index] ?? {};
    const missing = [...facts.requires, ...VIA_FACTS[entry.via].requires].filter((key) => rawEntry[key] === undefined);
    for (const key of missing) {
      const why = facts.requires.includes(key) ? `platform.kind ${kind}${kindWritten ? '' : ' (the default on this host)'}` : `via: ${entry.via}`;
      problems.push({ path: ['failover', index, key], message: `missing (required with ${why})` });
    }
    for (const key of facts.refuses) {
      if (rawEntry[key] !== undefined)
        problems.push({ path: ['failover', index, key], message: `not used with platform.kind ${kind}: remove it, or set platform.kind` });
    }
    for (const [key, via] of Object.entries(VIA_ONLY_KEYS)) {
      if (rawEntry[key] !== undefined && entry.via !== via)
        problems.push({ path: ['failover', index, key], message: `used only with via: ${via} (this entry is via: ${entry.via})` });
    }
    if (available !== undefined && !available.vias.includes(entry.via) && !reportedVias.has(entry.via)) {
      reportedVias.add(entry.via);
      problems.push({ path: ['failover', index, 'via'], message: `${entry.via} is not available in this build; available: ${available.vias.join(', ')}` });
    }

    // Two entries answering to the same event would race each other's claims.
    const keyField = kind === 'freebsd' ? 'vhid' : kind === 'keepalived' ? 'vrrp_instance' : 'interface';
    const key = missing.length === 0 ? facts.entryKey(entry) : null;
    const earlier = key === null ? undefined : seenKey.get(key);
    if (key !== null && earlier !== undefined) {
      problems.push({ path: ['failover', index, keyField], message: `${key} is already configured in failover[${earlier}]` });
    } else if (key !== null) {
      seenKey.set(key, index);
    }
    entry.addresses.forEach((address, addressIndex) => {
      const first = seenAddress.get(address);
      if (first !== undefined) {
        problems.push({
          path: ['failover', index, 'addresses', addressIndex],
          message: `${address} is listed twice (also in failover[${first}]): an address can follow only one vhid`,
        });
      } else {
        seenAddress.set(address, index);
      }
    });
  });

  const demotion = config.health.demotion;
  const bounds = facts.demotion;
  if (bounds.powerOfTwo && (demotion & (demotion - 1)) !== 0) {
    problems.push({ path: ['health', 'demotion'], message: `expected a power of two (carp-ovh owns one bit of the counter), got ${demotion}` });
  } else if (demotion < bounds.min || demotion > bounds.max) {
    problems.push({ path: ['health', 'demotion'], message: `expected ${bounds.what} on platform.kind ${kind}, got ${demotion}` });
  }
  if (config.ovh.pollIntervalMs <= 0) {
    problems.push({ path: ['ovh', 'poll_interval'], message: 'expected a duration above zero' });
  }
  if (config.ovh.pollIntervalMs >= config.ovh.deadlineMs) {
    problems.push({ path: ['ovh', 'poll_interval'], message: `must be shorter than ovh.deadline (${raw.ovh.deadline})` });
  }
  if (config.ovh.timeoutMs <= 0) {
    problems.push({ path: ['ovh', 'timeout'], message: 'expected a duration above zero' });
  }
  if (config.metrics.listen !== null && config.metrics.listen.port > 65535) {
    problems.push({ path: ['metrics', 'listen'], message: `expected a port from 0 (any free port) to 65535, got ${config.metrics.listen.port}` });
  }
  if (config.notify.timeoutMs <= 0) {
    problems.push({ path: ['notify', 'timeout'], message: 'expected a duration above zero' });
  }
  for (const [path, value] of durations(config)) {
    if (value > MAX_TIMER_MS)
      problems.push({ path, message: `expected at most 24 days (node timers cannot wait longer: they would fire at once), got ${value} ms` });
  }
  return problems;
}

function durations(config: Config): Array<[Problem['path'], number]> {
  const out: Array<[Problem['path'], number]> = [
    [['ovh', 'timeout'], config.ovh.timeoutMs],
    [['ovh', 'poll_interval'], config.ovh.pollIntervalMs],
    [['ovh', 'deadline'], config.ovh.deadlineMs],
    [['platform', 'timeout'], config.platform.timeoutMs],
    [['health', 'claim_hold'], config.health.claimHoldMs],
    [['health', 'probe_timeout'], config.health.probeTimeoutMs],
    [['health', 'script_timeout'], config.health.scriptTimeoutMs],
    [['notify', 'timeout'], config.notify.timeoutMs],
  ];
  if (config.ovh.credentials.kind === 'vault') out.push([['ovh', 'credentials', 'vault', 'timeout'], config.ovh.credentials.timeoutMs]);
  return out;
}
