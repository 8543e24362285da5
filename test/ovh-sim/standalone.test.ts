import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { makeTempDir } from '../support/tmp.ts';
import type { OvhSimulator } from '../support/ovh-sim/index.ts';
import { rawCall, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';

const MAIN = fileURLToPath(new URL('../support/ovh-sim/main.ts', import.meta.url));

test('runs as its own process with a state file, and exposes the control API under /_sim', async () => {
  trustTestCaGlobally();
  const dir = makeTempDir('ovh-sim-standalone');
  const stateFile = join(dir, 'sim.json');
  writeFileSync(
    stateFile,
    JSON.stringify({
      state: { dedicated: { 'ns9.example': { virtualMacs: { '02:00:00:00:00:09': { type: 'ovh', ips: { '192.0.2.9': 'vm9' } } } } } },
      delays: { add: 10 },
    }),
  );
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--state', stateFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const ready = JSON.parse(line) as { url: string; port: number; pid: number };
    assert.equal(ready.pid, child.pid);
    assert.equal(ready.url, `https://127.0.0.1:${ready.port}/1.0`);
    // Enough of a handle for rawCall.
    const sim = { host: '127.0.0.1', port: ready.port } as OvhSimulator;

    const macs = await rawCall(sim, 'GET', '/dedicated/server/ns9.example/virtualMac');
    assert.deepEqual(macs.json, ['02:00:00:00:00:09']);

    const control = (method: string, path: string, body?: unknown) => rawCallOutsideApi(ready.port, method, path, body);
    await control('POST', '/_sim/faults', { path: '/dedicated/server', times: 1, action: { type: 'status', status: 503 } });
    assert.equal((await rawCall(sim, 'GET', '/dedicated/server')).status, 503);
    const stats = (await control('GET', '/_sim/stats')) as { byStatus: Record<string, number> };
    assert.equal(stats.byStatus['503'], 1);
    const state = (await control('GET', '/_sim/state')) as { dedicated: Record<string, unknown> };
    assert.deepEqual(Object.keys(state.dedicated), ['ns9.example']);
  } finally {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  }
});

async function rawCallOutsideApi(port: number, method: string, path: string, body?: unknown): Promise<unknown> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text === '' ? undefined : (JSON.parse(text) as unknown)));
    });
    req.on('error', reject);
    req.end(body === undefined ? '' : JSON.stringify(body));
  });
}
