import { createRequire } from 'node:module';
import { CarpOvhError } from '../../errors.ts';

/** Where the API lives: what node-ovh needs (host, port, basePath) and a label for logs. */
export interface ApiRoot {
  host: string;
  port: number;
  basePath: string;
  /** `https://eu.api.ovh.com/1.0` */
  url: string;
}

const DEFAULT_BASE_PATH = '/1.0';

function configError(message: string): CarpOvhError {
  return new CarpOvhError(message, { source: 'config', badInput: true });
}

/**
 * `endpoint` names an entry of node-ovh's own table (ovh-eu, ovh-ca, …), so the
 * list never drifts from the client's; `url` is a custom root such as a local
 * stand-in. Exactly one of the two.
 */
export function resolveApiRoot(options: { endpoint?: string | undefined; url?: string | undefined }): ApiRoot {
  const { endpoint, url } = options;
  if ((endpoint === undefined) === (url === undefined)) {
    throw configError('ovh: set exactly one of endpoint and url');
  }
  if (endpoint !== undefined) return fromEndpoint(endpoint);
  return fromUrl(url ?? '');
}

function fromEndpoint(endpoint: string): ApiRoot {
  // endpoints.js is a plain table with no dependencies: cheap to load eagerly,
  // unlike the client itself (bluebird, async).
  const table = createRequire(import.meta.url)('ovh/lib/endpoints.js') as Record<string, { host?: string } | undefined>;
  const host = Object.hasOwn(table, endpoint) ? table[endpoint]?.host : undefined;
  if (host === undefined) {
    throw configError(`ovh.endpoint: unknown endpoint ${JSON.stringify(endpoint)} (known: ${Object.keys(table).join(', ')})`);
  }
  return { host, port: 443, basePath: DEFAULT_BASE_PATH, url: `https://${host}${DEFAULT_BASE_PATH}` };
}

function fromUrl(raw: string): ApiRoot {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw configError(`ovh.url: not a URL: ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'https:') throw configError('ovh.url: the OVH API client speaks HTTPS only');
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw configError('ovh.url: expected https://host[:port]/path, without credentials, query or fragment');
  }
  // node-ovh takes a bare hostname and signs `https://` + host + path: an IPv6
  // literal keeps its brackets out of the socket options.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 443 : Number(parsed.port);
  const basePath = parsed.pathname.replace(/\/+$/, '');
  const shownPort = port === 443 ? '' : `:${port}`;
  return { host, port, basePath, url: `https://${parsed.hostname}${shownPort}${basePath}` };
}
