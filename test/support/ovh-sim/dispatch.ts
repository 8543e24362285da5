import type { IncomingHttpHeaders } from 'node:http';
import { authenticate, isGranted, notGranted, type Caller } from './access.ts';
import type { SimCore } from './core.ts';
import type { FaultBook } from './faults.ts';
import { badRequest, errorBody, SimHttpError } from './http-errors.ts';
import { matchRoute, type Route } from './router.ts';

export interface ApiRequest {
  method: string;
  /** As received, with /1.0 and query string: what the client signed. */
  rawUrl: string;
  /** Below /1.0, still percent-encoded, without query. */
  apiPath: string;
  /** Decoded, for access rules and faults. */
  decodedPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * One API call after the faults: settle due tasks, authenticate, check the
 * credential's rules, then run the route. Order follows OVH: the gateway
 * rejects bad keys and signatures before the API looks at the path.
 */
export function dispatch(core: SimCore, routes: readonly Route[], faults: FaultBook, request: ApiRequest): ApiAnswer {
  core.settle();
  try {
    const match = matchRoute(routes, request.method, request.apiPath);
    const open = match !== null && 'route' in match && match.route.auth === false;
    let caller: Caller | null = null;
    if (!open) {
      caller = authenticate(request, core.credentials, core.nowSec(), core.timestampWindowSec);
    }
    if (match === null) throw new SimHttpError(404, errorBody(404, 'Got an invalid (or empty) URL'));
    if (!('route' in match)) {
      throw new SimHttpError(405, errorBody(405, `Received not described method '${request.method}' on path '${request.decodedPath}'`));
    }
    const { route, params } = match;
    if (caller !== null && !route.always && !isGranted(caller.consumer.rules, request.method, request.decodedPath)) {
      throw notGranted();
    }
    const result = route.handler({
      core,
      params,
      query: request.query,
      body: parseBody(request),
      caller,
      takeTaskOutcome: () => faults.takeTaskOutcome(request.method, request.decodedPath),
    });
    return { status: result.status ?? 200, body: result.body };
  } catch (error) {
    if (error instanceof SimHttpError) return { status: error.status, body: error.body };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, body: errorBody(500, `Internal simulator error: ${message}`) };
  }
}

function parseBody(request: ApiRequest): Record<string, unknown> {
  if (request.body === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw badRequest('Invalid JSON received');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('Invalid JSON received');
  return parsed as Record<string, unknown>;
}
