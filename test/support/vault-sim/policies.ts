/**
 * ACL policies reduced to what carp-ovh needs: a policy is a list of paths the
 * token may read. `*` matches any run of characters (Vault only allows it at the
 * end, where both agree), `+` exactly one path segment, as in Vault.
 */
interface CompiledPath {
  raw: string;
  re: RegExp;
}

export class PolicyStore {
  readonly #policies = new Map<string, CompiledPath[]>();

  set(name: string, paths: string[]): void {
    this.#policies.set(
      name,
      paths.map((p) => {
        const raw = p.replace(/^\/+/, '');
        return { raw, re: compilePattern(raw) };
      }),
    );
  }

  /** Whether any of `policies` lets a token read `path` (no leading slash, no /v1/). */
  allowsRead(policies: readonly string[], path: string): boolean {
    if (policies.includes('root')) return true;
    return this.#paths(policies).some(({ re }) => re.test(path));
  }

  /** Whether any allowed path may lie under `prefix` (for the UI mounts lookup). */
  allowsAnythingUnder(policies: readonly string[], prefix: string): boolean {
    if (policies.includes('root')) return true;
    return this.#paths(policies).some(({ raw }) => {
      const literal = raw.split(/[*+]/)[0] ?? '';
      return literal.startsWith(prefix) || prefix.startsWith(literal);
    });
  }

  #paths(policies: readonly string[]): CompiledPath[] {
    return policies.flatMap((name) => this.#policies.get(name) ?? []);
  }
}

function compilePattern(pattern: string): RegExp {
  const source = pattern
    .split(/(\*|\+)/)
    .map((part) => (part === '*' ? '.*' : part === '+' ? '[^/]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
