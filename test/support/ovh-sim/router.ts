import type { Caller } from './access.ts';
import type { SimCore } from './core.ts';
import type { HttpMethod, TaskOutcome } from './types.ts';

export interface RouteContext {
  core: SimCore;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  caller: Caller | null;
  /** How a task created by this call will end (a `task` fault, or `done`). */
  takeTaskOutcome: () => TaskOutcome;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: HttpMethod;
  /** `/dedicated/server/{serviceName}/task/{taskId}` */
  pattern: string;
  /** False only for /auth/time. */
  auth?: boolean;
  /** Allowed to every valid credential, whatever its rules (/auth/currentCredential). */
  always?: boolean;
  handler: (ctx: RouteContext) => RouteResult;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | null;

/**
 * Segments are split on the raw path before decoding, so `1.2.3.4%2F32` stays
 * one parameter and arrives decoded as `1.2.3.4/32`.
 */
export function matchRoute(routes: readonly Route[], method: string, apiPath: string): RouteMatch {
  const segments = apiPath.split('/');
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === null) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return null;
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return null;
      }
      params[part.slice(1, -1)] = decoded;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route parameter ${name} missing`);
  return value;
}
