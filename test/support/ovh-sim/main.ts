/**
 * The simulator as its own process:
 *   node test/support/ovh-sim/main.ts [--port N] [--state FILE]
 * FILE is JSON holding any of the simulator options (state, delays,
 * applications, consumers, clockOffsetSec). Prints one JSON line
 * `{"url","port","pid"}` once listening; the control routes live under /_sim.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startOvhSimulator } from './server.ts';
import type { OvhSimulatorOptions } from './types.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, state: { type: 'string' }, rogue: { type: 'boolean' } },
});

const fromFile: OvhSimulatorOptions = values.state === undefined ? {} : (JSON.parse(readFileSync(values.state, 'utf8')) as OvhSimulatorOptions);

const sim = await startOvhSimulator({
  ...fromFile,
  port: values.port === undefined ? (fromFile.port ?? 0) : Number(values.port),
  ...(values.rogue === true ? { tls: 'rogue' as const } : {}),
  control: true,
});
process.stdout.write(`${JSON.stringify({ url: sim.url, port: sim.port, pid: process.pid })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
