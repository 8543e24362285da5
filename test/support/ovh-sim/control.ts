import type { OvhSimulator } from './server.ts';
import type { FaultSpec, SimDelays, SimState } from './types.ts';

/**
 * The in-process control API over HTTP, for a simulator running as its own
 * process (demo, benchmarks). Served only with `control: true`, outside /1.0,
 * unauthenticated: it listens on 127.0.0.1 and is a test fixture.
 */
export function handleControl(sim: OvhSimulator, method: string, rawUrl: string, body: unknown): { status: number; body: unknown } {
  const path = rawUrl.split('?')[0];
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /_sim/state':
      return { status: 200, body: sim.state() };
    case 'PUT /_sim/state':
      sim.setState((body ?? {}) as Partial<SimState>);
      return { status: 200, body: sim.state() };
    case 'GET /_sim/requests':
      return { status: 200, body: sim.requests() };
    case 'GET /_sim/stats':
      return { status: 200, body: sim.stats() };
    case 'GET /_sim/tasks':
      return { status: 200, body: sim.tasks() };
    case 'GET /_sim/faults':
      return { status: 200, body: sim.faults() };
    case 'POST /_sim/faults':
      return { status: 200, body: { id: sim.addFault(body as FaultSpec) } };
    case 'DELETE /_sim/faults':
      sim.clearFaults();
      return { status: 200, body: null };
    case 'PUT /_sim/delays':
      sim.setDelays((body ?? {}) as Partial<SimDelays>);
      return { status: 200, body: sim.delays() };
    case 'PUT /_sim/clock': {
      const offset = (body as { offsetSec?: unknown } | null)?.offsetSec;
      if (typeof offset !== 'number') return { status: 400, body: { message: 'offsetSec must be a number' } };
      sim.setClockOffset(offset);
      return { status: 200, body: { offsetSec: offset } };
    }
    default:
      return { status: 404, body: { message: `no control route ${route}` } };
  }
}
