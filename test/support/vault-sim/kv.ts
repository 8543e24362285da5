import type { KvVersion } from './types.ts';

interface Version {
  data: Record<string, unknown>;
  createdTime: string;
}

interface Mount {
  version: KvVersion;
  /** KV v2 keeps every version; KV v1 only ever has one. */
  secrets: Map<string, Version[]>;
  accessor: string;
}

export interface KvRead {
  data: Record<string, unknown>;
  version: number;
  createdTime: string;
}

/** KV mounts (v1 and v2) with their secrets, addressed like Vault addresses them. */
export class KvStore {
  readonly #mounts = new Map<string, Mount>();

  addMount(mount: string, version: KvVersion): void {
    const name = trimSlashes(mount);
    const existing = this.#mounts.get(name);
    if (existing !== undefined) {
      existing.version = version;
      return;
    }
    this.#mounts.set(name, { version, secrets: new Map(), accessor: `kv_${Math.random().toString(16).slice(2, 10)}` });
  }

  set(mount: string, path: string, data: Record<string, unknown>, now: number): void {
    const m = this.#requireMount(mount);
    const key = trimSlashes(path);
    const entry = { data: structuredClone(data), createdTime: new Date(now).toISOString() };
    const versions = m.version === 2 ? [...(m.secrets.get(key) ?? []), entry] : [entry];
    m.secrets.set(key, versions);
  }

  delete(mount: string, path: string): void {
    this.#requireMount(mount).secrets.delete(trimSlashes(path));
  }

  /** The mount owning `apiPath` (longest prefix wins, as in Vault's router). */
  resolve(apiPath: string): { mount: string; version: KvVersion; accessor: string; rest: string } | null {
    let best: string | null = null;
    for (const name of this.#mounts.keys()) {
      if ((apiPath === name || apiPath.startsWith(`${name}/`)) && (best === null || name.length > best.length)) best = name;
    }
    if (best === null) return null;
    const m = this.#mounts.get(best)!;
    return { mount: best, version: m.version, accessor: m.accessor, rest: apiPath.slice(best.length + 1) };
  }

  /** `version` 0 = latest. */
  read(mount: string, path: string, version = 0): KvRead | null {
    const versions = this.#mounts.get(mount)?.secrets.get(trimSlashes(path));
    if (versions === undefined || versions.length === 0) return null;
    const index = version === 0 ? versions.length : version;
    const entry = versions[index - 1];
    if (entry === undefined) return null;
    return { data: structuredClone(entry.data), version: index, createdTime: entry.createdTime };
  }

  versions(mount: string, path: string): KvRead[] {
    const versions = this.#mounts.get(mount)?.secrets.get(trimSlashes(path)) ?? [];
    return versions.map((v, i) => ({ data: v.data, version: i + 1, createdTime: v.createdTime }));
  }

  #requireMount(mount: string): Mount {
    const m = this.#mounts.get(trimSlashes(mount));
    if (m === undefined) throw new Error(`vault-sim: no mount ${mount}`);
    return m;
  }
}

function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}
