/**
 * node-ovh ships no type declarations. Only its factory is used here (for
 * signRequest and the /auth/time rule); src/providers/ovh/client.ts gives the
 * result its own narrow type.
 */
declare module 'ovh' {
  const factory: (params: Record<string, unknown>) => unknown;
  export default factory;
}
