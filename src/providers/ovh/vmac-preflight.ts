import { CarpOvhError } from '../../errors.ts';
import type { OvhApi } from './api.ts';

/**
 * What must hold before a virtual-MAC claim changes anything at OVH: this
 * router's MAC is a vMAC of the server (OVH routes a failover IP only to a vMAC
 * it generated itself: `POST …/virtualMac` takes no MAC, so no call can give an
 * IP to a MAC of our choosing), and the consumer key may make every call the
 * move needs (its access rules, from `GET /auth/currentCredential`). Checked
 * before the first DELETE, since a claim that stops after it leaves the VIP
 * routed nowhere.
 */

export interface AccessRule {
  method: string;
  path: string;
}

export interface NeededCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The least-privilege rule that grants it (docs/operations.md). */
  rule: string;
  why: string;
}

/** The fix, in the words the claim and doctor both use. */
export function notAVirtualMacFix(server: string): string {
  return (
    `the router's NIC must use the virtual MAC OVH generated for it: in the OVH manager, give one of this router's own IPs a virtual MAC on ${server} ` +
    `(IP section, "Add a virtual MAC"), set the router's network adapter to that MAC (or failover[].mac to it), then run carp-ovh doctor`
  );
}

export function notAVirtualMacError(mac: string, server: string): CarpOvhError {
  return new CarpOvhError(
    `${mac} is not a virtual MAC of ${server}: OVH routes a failover IP only to a vMAC it generated, so the claim changed nothing at OVH; ${notAVirtualMacFix(server)}`,
    { source: 'claim' },
  );
}

/** Every call a move to `mac` makes, with the vMACs it detaches addresses from. */
export function neededCalls(server: string, mac: string, detach: ReadonlyArray<{ mac: string; address: string }>): NeededCall[] {
  const base = `/dedicated/server/${server}`;
  const calls: NeededCall[] = [
    { method: 'GET', path: `${base}/virtualMac`, rule: 'GET /dedicated/server/*', why: 'list the vMACs' },
    { method: 'GET', path: `${base}/virtualMac/${mac}/virtualAddress`, rule: 'GET /dedicated/server/*', why: 'read the address lists' },
    { method: 'GET', path: `${base}/task/1`, rule: 'GET /dedicated/server/*', why: 'read tasks' },
    { method: 'GET', path: `${base}/task`, rule: 'GET /dedicated/server/*', why: 'list pending tasks' },
    { method: 'POST', path: `${base}/virtualMac/${mac}/virtualAddress`, rule: 'POST /dedicated/server/*/virtualMac/*', why: `attach to ${mac}` },
  ];
  for (const { mac: holder, address } of detach) {
    calls.push({
      method: 'DELETE',
      path: `${base}/virtualMac/${holder}/virtualAddress/${address}`,
      rule: 'DELETE /dedicated/server/*/virtualMac/*',
      why: `detach ${address} from ${holder}`,
    });
  }
  return calls;
}

/** OVH's access-rule wildcard: `*` is any run of characters, `/` included. */
export function ruleGrants(rule: AccessRule, method: string, path: string): boolean {
  if (rule.method.toUpperCase() !== method) return false;
  const body = rule.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(path);
}

export function missingCalls(rules: readonly AccessRule[], calls: readonly NeededCall[]): NeededCall[] {
  return calls.filter((call) => !rules.some((rule) => ruleGrants(rule, call.method, call.path)));
}

export function missingRightsError(missing: readonly NeededCall[]): CarpOvhError {
  const rules = [...new Set(missing.map((call) => call.rule))];
  const calls = missing.map((call) => `${call.method} ${call.path} (${call.why})`).join(', ');
  return new CarpOvhError(
    `the OVH consumer key may not make every call the move needs (${calls}), so the claim changed nothing at OVH; create a consumer key ` +
      `that also has ${rules.join(', ')} and store it where ovh.credentials points`,
    { source: 'claim', errorCode: 'NOT_GRANTED_CALL' },
  );
}

/** The key's access rules, as `GET /auth/currentCredential` lists them (auth.ApiCredential). */
export async function readAccessRules(api: OvhApi, signal: AbortSignal): Promise<AccessRule[]> {
  const credential = (await api.get('/auth/currentCredential', signal)) as { rules?: unknown; status?: unknown } | null;
  const rules = credential?.rules;
  if (credential === null || typeof credential !== 'object' || !Array.isArray(rules)) {
    throw new CarpOvhError('OVH answered GET /auth/currentCredential with something that is not a credential (expected {rules: [{method, path}], …})', {
      source: 'ovh',
      badInput: true,
    });
  }
  const valid = rules.filter(
    (rule): rule is AccessRule => typeof (rule as AccessRule | null)?.method === 'string' && typeof (rule as AccessRule | null)?.path === 'string',
  );
  if (valid.length !== rules.length) {
    throw new CarpOvhError('OVH answered GET /auth/currentCredential with an access rule that has no method or path', { source: 'ovh', badInput: true });
  }
  return valid;
}
