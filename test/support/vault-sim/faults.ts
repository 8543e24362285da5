import type { FaultHandle, FaultRule } from './types.ts';

interface ActiveRule {
  rule: FaultRule;
  method: string | null;
  pattern: RegExp;
  remaining: number;
  hits: number;
}

/** Per-route fault rules, first match wins; a rule with `times` retires itself. */
export class FaultSet {
  #rules: ActiveRule[] = [];

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = {
      rule,
      method: rule.method === undefined ? null : rule.method.toUpperCase(),
      pattern: typeof rule.path === 'string' ? globToRegExp(rule.path) : rule.path,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      hits: 0,
    };
    this.#rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.#rules = this.#rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.#rules = [];
  }

  /** Claims the first rule matching this request, counting it against `times`. */
  take(method: string, path: string): FaultRule | null {
    const upper = method.toUpperCase();
    const found = this.#rules.find((r) => r.remaining > 0 && (r.method === null || r.method === upper) && r.pattern.test(path));
    if (found === undefined) return null;
    found.remaining -= 1;
    found.hits += 1;
    if (found.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== found);
    return found.rule;
  }
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
