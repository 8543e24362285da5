/**
 * Runs the simulator as its own process, for the demo and for benchmarks that
 * drive the CLI as a subprocess:
 *
 *   node test/support/vault-sim/main.ts ['{"secondMs":10,"sealed":false}']
 *
 * Prints one JSON line {url, port, caPath} on stdout once listening, then serves
 * until SIGINT/SIGTERM. The argument is VaultSimulatorOptions as JSON.
 */
import { startVaultSimulator } from './index.ts';
import type { VaultSimulatorOptions } from './types.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as VaultSimulatorOptions;
const sim = await startVaultSimulator(options);
process.stdout.write(`${JSON.stringify({ url: sim.url, port: sim.port, caPath: sim.caPath })}\n`);

const stop = (): void => {
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
