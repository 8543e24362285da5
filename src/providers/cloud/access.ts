/**
 * The least-privilege OVH access rules the cloud provider needs, and whether a
 * key's rules grant them (OVH's wildcard: `*` is any run of characters, `/` included).
 */

export interface NeededCall {
  method: 'GET' | 'POST';
  path: string;
  /** The rule to ask for when creating the consumer key. */
  rule: string;
  why: string;
}

export function neededCalls(project: string, failoverId = 'ID'): NeededCall[] {
  const base = `/cloud/project/${project}`;
  return [
    { method: 'GET', path: `${base}/ip/failover`, rule: 'GET /cloud/project/*/ip/failover', why: 'locate the failover IP' },
    { method: 'GET', path: `${base}/instance`, rule: 'GET /cloud/project/*/instance', why: "find this instance's id" },
    {
      method: 'POST',
      path: `${base}/ip/failover/${failoverId}/attach`,
      rule: 'POST /cloud/project/*/ip/failover/*/attach',
      why: 'attach the failover IP here',
    },
  ];
}

export function ruleGrants(rule: { method?: unknown; path?: unknown }, method: string, path: string): boolean {
  if (typeof rule.method !== 'string' || typeof rule.path !== 'string' || rule.method.toUpperCase() !== method) return false;
  const body = rule.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(path);
}

export function missingRules(rules: ReadonlyArray<{ method?: unknown; path?: unknown }>, calls: readonly NeededCall[]): NeededCall[] {
  return calls.filter((call) => !rules.some((rule) => ruleGrants(rule, call.method, call.path)));
}
