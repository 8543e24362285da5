import type { Availability } from '../../config/rules.ts';
import type { PlatformModule } from '../../core/ports/index.ts';
import type { OvhProviderModule } from '../../providers/ovh/provider-module.ts';

/**
 * Which adapter serves which `platform.kind` and which `via`: adding a platform
 * or a provider is its folder plus one line here. Every import is deferred, so a
 * command loads only the adapters its config names. The hook's argument parsers
 * are not here: src/cli/wiring/hook-event.ts finds src/platform/<kind>/hook-args.ts
 * by that path, so the hook's fast path bundles none of the adapters.
 *
 * A kind or via the config schema knows but this table lacks is refused by the
 * config rules ("… is not available in this build", exit 2).
 */

export interface PlatformEntry {
  adapter: () => Promise<PlatformModule>;
}

export const PLATFORMS: Readonly<Record<string, PlatformEntry>> = {
  freebsd: { adapter: () => import('../../platform/freebsd/index.ts') },
  openbsd: { adapter: () => import('../../platform/openbsd/index.ts') },
  keepalived: { adapter: () => import('../../platform/keepalived/index.ts') },
};

export const PROVIDERS: Readonly<Record<string, () => Promise<OvhProviderModule>>> = {
  'virtual-mac': () => import('../../providers/ovh/virtual-mac.ts'),
  'ip-move': () => import('../../providers/ip-move/index.ts'),
  cloud: () => import('../../providers/cloud/index.ts'),
};

export function availability(): Availability {
  return { kinds: Object.keys(PLATFORMS), vias: Object.keys(PROVIDERS) };
}

export function platformEntry(kind: string): PlatformEntry | undefined {
  return Object.hasOwn(PLATFORMS, kind) ? PLATFORMS[kind] : undefined;
}

export function providerModule(via: string): (() => Promise<OvhProviderModule>) | undefined {
  return Object.hasOwn(PROVIDERS, via) ? PROVIDERS[via] : undefined;
}
