/**
 * node-ovh ships no type declarations. Only test/providers/ovh-sign.test.ts
 * uses the client itself, to hold src/providers/ovh/client-sign.ts to its
 * signRequest; the product reads only its endpoint table.
 */
declare module 'ovh' {
  const factory: (params: Record<string, unknown>) => { signRequest(method: string, url: string, body: string, timestamp: number): string };
  export default factory;
}
