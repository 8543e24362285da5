import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { shellQuote } from './fake-shell-reads.ts';
import { type CallableKernel, callTool, type ToolAnswer, type ToolFault, type ToolPlan } from './fake-tool-call.ts';

/**
 * Where the fake kernels' tools run every call the shell cannot answer from a
 * file (fake-shell-reads.ts): writes, errors, faults. Each such call used to
 * start node, ~0.17 s of CPU on a loaded two-core machine, and the suite made
 * ~340 of them. Now the tool's wrapper execs fake-tool-client.sh, a bash
 * process the product starts, waits for and may kill like any tool; it hands
 * its arguments over loopback to this server, in the test process that created
 * the kernel, which runs the same command code (fake-tool-call.ts) and sends the
 * answer back. The kernel's files stay the truth: the test-side handle and the
 * server both go through the state lock.
 *
 * Request: NUL-terminated fields, the count of the fields after it first, then
 * the caller's pid, kind, tool, state path and arguments. Answer: a line
 * `EXIT STDOUT_BYTES STDERR_BYTES`, then stdout, then stderr.
 */

type ToolExecutor = (call: { tool: string; statePath: string; argv: string[]; pid: number; withFaults: boolean }) => ToolPlan;

const CLIENT = fileURLToPath(new URL('./fake-tool-client.sh', import.meta.url));
/** A hung call (ToolFault 'hang') answers exit 1 after this, so a leaked caller cannot live forever. */
const HANG_LIMIT_MS = 60_000;
/** A request is a command line: anything longer is not one of ours. */
const MAX_REQUEST_BYTES = 64 * 1024;

const executors = new Map<string, ToolExecutor>();
/** Only kernels this process created are served. */
const kernels = new Map<string, string>();

function answerText(answer: ToolAnswer): string {
  return `${answer.exitCode} ${Buffer.byteLength(answer.stdout)} ${Buffer.byteLength(answer.stderr)}\n${answer.stdout}${answer.stderr}`;
}

function failure(message: string): ToolAnswer {
  return { stdout: '', stderr: `fake tool server: ${message}\n`, exitCode: 70 };
}

function serve(socket: Socket, fields: string[]): void {
  const [pidText, kind, tool, statePath, ...argv] = fields;
  const executor = kind === undefined ? undefined : executors.get(kind);
  const pid = Number(pidText);
  const reply = (answer: ToolAnswer): void => {
    if (!socket.destroyed) socket.end(answerText(answer));
  };
  if (executor === undefined || tool === undefined || statePath === undefined || kernels.get(statePath) !== kind || !Number.isInteger(pid)) {
    reply(failure(`no ${kind ?? '?'} kernel at ${statePath ?? '?'} in process ${process.pid}`));
    return;
  }
  const run = (withFaults: boolean): void => {
    let plan: ToolPlan;
    try {
      plan = executor({ tool, statePath, argv, pid, withFaults });
    } catch (error) {
      reply(failure((error as Error).message));
      return;
    }
    if (plan.kind === 'done') reply(plan);
    else if (plan.kind === 'delay') wait(plan.ms, () => run(false));
    else wait(HANG_LIMIT_MS, () => reply({ stdout: '', stderr: '', exitCode: 1 }));
  };
  // A caller killed while it waits (the product's timeout) closes the socket: nothing is left to answer.
  const wait = (ms: number, then: () => void): void => {
    const timer = setTimeout(then, ms).unref();
    socket.once('close', () => clearTimeout(timer));
  };
  run(true);
}

function accept(socket: Socket): void {
  // The server and its callers never keep a test process alive: they serve the processes it waits for.
  socket.unref();
  socket.on('error', () => socket.destroy());
  let pending = Buffer.alloc(0);
  let handled = false;
  socket.on('data', (chunk: Buffer) => {
    if (handled) return;
    pending = Buffer.concat([pending, chunk]);
    const fields = pending.toString('utf8').split('\0');
    fields.pop(); // the unterminated rest
    const count = Number(fields[0]);
    if (fields.length > 0 && !(Number.isInteger(count) && count >= 4)) {
      handled = true;
      socket.end(answerText(failure('malformed request')));
      return;
    }
    if (fields.length >= count + 1) {
      handled = true;
      serve(socket, fields.slice(1, count + 1));
    } else if (pending.length > MAX_REQUEST_BYTES) {
      handled = true;
      socket.end(answerText(failure('request too long')));
    }
  });
}

const server = createServer(accept);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
server.unref();
const port = (server.address() as AddressInfo).port;

/** How a fake kernel runs its `tools`' calls; one registration per kind, at module load. */
export function serveKernelKind<S extends { faults: Partial<Record<T, ToolFault>> }, T extends string>(
  kind: string,
  tools: readonly T[],
  kernel: CallableKernel<S, T>,
): void {
  executors.set(kind, (call) => {
    const tool = tools.find((name) => name === call.tool);
    if (tool === undefined) throw new Error(`${kind} has no tool ${call.tool}`);
    return callTool(kernel, { ...call, tool });
  });
}

/** The client itself, bypassing a wrapper's shell answers: [path, ...args before the tool's own]. */
export function toolServerCommand(kind: string, tool: string, statePath: string): string[] {
  kernels.set(statePath, kind);
  return ['/bin/bash', CLIENT, String(port), kind, tool, statePath];
}

/** The wrapper's last line for `tool` of the kernel at `statePath`, which this process now serves. */
export function toolServerExec(kind: string, tool: string, statePath: string): string {
  return `exec ${toolServerCommand(kind, tool, statePath).map(shellQuote).join(' ')} "$@"`;
}
