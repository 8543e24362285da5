/**
 * OVH's access-rule wildcard: `*` stands for any run of characters, slashes
 * included (`GET /dedicated/server/*` grants every read below that prefix).
 * Faults use the same syntax so a test reads like a credential's rules.
 */
const compiled = new Map<string, RegExp>();

export function matchesWildcard(pattern: string, path: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    compiled.set(pattern, re);
  }
  return re.test(path);
}

/** Splits `/1.0/ip/1.2.3.4%2F32/task?status=todo` into its API path and query. */
export function splitApiPath(rawUrl: string, basePath: string): { apiPath: string; query: URLSearchParams } | null {
  const q = rawUrl.indexOf('?');
  const pathPart = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  if (pathPart !== basePath && !pathPart.startsWith(`${basePath}/`)) return null;
  return { apiPath: pathPart.slice(basePath.length) || '/', query };
}

/** Decoded form used to match access rules and faults (`1.2.3.4%2F32` → `1.2.3.4/32`). */
export function decodePath(apiPath: string): string {
  try {
    return decodeURIComponent(apiPath);
  } catch {
    return apiPath;
  }
}
