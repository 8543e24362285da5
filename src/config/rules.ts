import { MAX_TIMER_MS } from '../duration.ts';
import type { Config } from './types.ts';
import type { Problem } from './validate.ts';

/**
 * Layer 3: rules that span several keys, which a JSON Schema cannot say clearly.
 * `raw` tells which keys the operator actually wrote (defaults are not theirs).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function crossFieldProblems(config: Config, raw: any): Problem[] {
  const problems: Problem[] = [];

  if (raw.ovh.endpoint !== undefined && raw.ovh.url !== undefined) {
    problems.push({ path: ['ovh', 'url'], message: 'set either ovh.endpoint or ovh.url, not both' });
  }

  const seenVhid = new Map<string, number>();
  const seenAddress = new Map<string, number>();
  config.failover.forEach((entry, index) => {
    const key = `${entry.vhid}@${entry.interface}`;
    const earlier = seenVhid.get(key);
    if (earlier !== undefined) {
      problems.push({ path: ['failover', index, 'vhid'], message: `${key} is already configured in failover[${earlier}]` });
    } else {
      seenVhid.set(key, index);
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
  if ((demotion & (demotion - 1)) !== 0) {
    problems.push({ path: ['health', 'demotion'], message: `expected a power of two (carp-ovh owns one bit of the counter), got ${demotion}` });
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
    if (value > MAX_TIMER_MS) problems.push({ path, message: `expected at most 24 days (node timers cannot wait longer: they would fire at once), got ${value} ms` });
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
