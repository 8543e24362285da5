/**
 * The fault matrix (docs/reliability.md) as data: every OVH call the claim makes × every
 * fault, each cell either an expectation (exit code, where the VIP ends, the
 * demotion, the log line) or the reason it cannot happen. The test files run
 * the cells of one call each (so node's runner spreads them over its workers),
 * and docs/reliability.md describes the same table.
 */
import type { FaultAction, FaultSpec, HttpMethod } from './ovh-sim/index.ts';
import { type CellExpectation, FAULT_REQUEST_TIMEOUT_MS } from './fault-cells.ts';

/** What the claim says of a read that got no answer within the cells' request budget. */
function noAnswer(before: string): RegExp {
  return new RegExp(`${before}: no answer within ${FAULT_REQUEST_TIMEOUT_MS} ms`);
}

export const CALLS = ['auth/time', 'locate: vMAC address lists', 'locate: vMAC list', 'DELETE', 'task poll', 'POST'] as const;
export type MatrixCall = (typeof CALLS)[number];

export const FAULTS = [
  '500',
  '503',
  'dropped connection',
  'stall past the timeout',
  'malformed JSON',
  '403 NOT_GRANTED_CALL',
  '400 INVALID_SIGNATURE',
  'task ovhError',
  'task cancelled',
  'task never finishing',
] as const;
export type MatrixFault = (typeof FAULTS)[number];

/** Persistent (every matching call) or transient (the first one only, then OVH recovers). */
export type Persistence = 'always' | 'once';

export const LISTS = '/dedicated/server/*/virtualMac/*/virtualAddress';
export const VMACS = '/dedicated/server/*/virtualMac';
export const ADDRESS = '/dedicated/server/*/virtualMac/*/virtualAddress/*';
export const TASK = '/dedicated/server/*/task/*';

/** Method and path (simulator wildcard syntax) of each call. */
export const ROUTE: Record<MatrixCall, { method: HttpMethod; path: string }> = {
  'auth/time': { method: 'GET', path: '/auth/time' },
  'locate: vMAC address lists': { method: 'GET', path: LISTS },
  'locate: vMAC list': { method: 'GET', path: VMACS },
  DELETE: { method: 'DELETE', path: ADDRESS },
  'task poll': { method: 'GET', path: TASK },
  POST: { method: 'POST', path: LISTS },
};

export function actionFor(fault: MatrixFault): FaultAction {
  switch (fault) {
    case '500':
      return { type: 'status', status: 500 };
    case '503':
      return { type: 'status', status: 503 };
    case 'dropped connection':
      return { type: 'drop' };
    case 'stall past the timeout':
      return { type: 'stall' };
    case 'malformed JSON':
      return { type: 'malformed' };
    case '403 NOT_GRANTED_CALL':
      return { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' };
    case '400 INVALID_SIGNATURE':
      return { type: 'status', status: 400, errorCode: 'INVALID_SIGNATURE', message: 'Invalid signature' };
    case 'task ovhError':
      return { type: 'task', outcome: 'ovhError' };
    case 'task cancelled':
      return { type: 'task', outcome: 'cancelled' };
    case 'task never finishing':
      return { type: 'task', outcome: 'never' };
  }
}

export function specFor(call: MatrixCall, fault: MatrixFault, persistence: Persistence): FaultSpec {
  const { method, path } = ROUTE[call];
  return { method, path, action: actionFor(fault), ...(persistence === 'once' ? { times: 1 } : {}) };
}

export interface MatrixCell {
  call: MatrixCall;
  fault: MatrixFault;
  persistence: Persistence;
  /** Extra faults some cells need (the 404-then-500 transient task read). */
  specs?: FaultSpec[];
  /** Test name suffix, for variants of one call × fault. */
  variant?: string;
  /** ovh.deadline for cells that can only end there (FAULT_TUNING's 12 s otherwise). */
  deadlineMs?: number;
  expect: CellExpectation;
}

export interface NotApplicable {
  call: MatrixCall;
  fault: MatrixFault;
  why: string;
}

export function cellName(cell: MatrixCell): string {
  return `${cell.call} × ${cell.fault} (${cell.persistence})${cell.variant === undefined ? '' : ` ${cell.variant}`}`;
}

const ok = (log: RegExp = /claim finished successfully/): CellExpectation => ({ code: 0, where: 'ours', demoted: false, log });
const failedOnPeer = (log: RegExp, code: 1 | 2 = 1): CellExpectation => ({ code, where: 'peer', demoted: true, log });
const failedNowhere = (log: RegExp, code: 1 | 2 = 1): CellExpectation => ({ code, where: 'nowhere', demoted: true, log });

const NO_TASK_ON_A_GET = 'a GET creates no task, so no task can end ovhError, cancelled or never';

/** Cells no request can produce, with the reason: the matrix is complete only with these. */
export const NOT_APPLICABLE: NotApplicable[] = [
  ...(['auth/time', 'locate: vMAC address lists', 'locate: vMAC list'] as const).flatMap((call) =>
    (['task ovhError', 'task cancelled', 'task never finishing'] as const).map((fault) => ({ call, fault, why: NO_TASK_ON_A_GET })),
  ),
  ...(['task ovhError', 'task cancelled', 'task never finishing'] as const).map((fault) => ({
    call: 'task poll' as const,
    fault,
    why: 'the task read reports the task of a DELETE or POST: those outcomes are the DELETE and POST rows',
  })),
];

function row(
  call: MatrixCall,
  expectations: Partial<Record<MatrixFault, { always: CellExpectation; once?: CellExpectation; deadlineMs?: number }>>,
  options: { alwaysDeadlineMs?: number } = {},
): MatrixCell[] {
  const cells: MatrixCell[] = [];
  const deadline = options.alwaysDeadlineMs === undefined ? {} : { deadlineMs: options.alwaysDeadlineMs };
  for (const fault of FAULTS) {
    const entry = expectations[fault];
    if (entry === undefined) continue;
    if (entry.once !== undefined) cells.push({ call, fault, persistence: 'once', expect: entry.once });
    const own = entry.deadlineMs === undefined ? deadline : { deadlineMs: entry.deadlineMs };
    cells.push({ call, fault, persistence: 'always', expect: entry.always, ...own });
  }
  return cells;
}

/**
 * A fault that strikes once and then lets OVH answer: retried, and the claim
 * succeeds. Every call has at least one such cell (each has its own retry: the
 * read retry, the DELETE resend, the POST loop); the persistent cell of every
 * fault is always there.
 */
function transient(always: CellExpectation, once: CellExpectation = ok()): { always: CellExpectation; once: CellExpectation } {
  return { always, once };
}

/**
 * The claim's reads (auth/time, the lists) are retried `ovh.retries` times on
 * 5xx, drops and timeouts; a read that keeps failing fails the claim before any
 * change, so the VIP stays on the peer and this router demotes itself.
 */
export const MATRIX: MatrixCell[] = [
  ...row('auth/time', {
    '500': { always: failedOnPeer(/auth\/time.*HTTP 500|Internal server error/) },
    '503': transient(failedOnPeer(/GET \/auth\/time: Service temporarily unavailable/)),
    'dropped connection': { always: failedOnPeer(/GET \/auth\/time: cannot reach 127\.0\.0\.1:\d+/) },
    'stall past the timeout': { always: failedOnPeer(noAnswer('auth\\/time.*')) },
    'malformed JSON': { always: failedOnPeer(/auth\/time.*unreadable answer/, 2) },
    '403 NOT_GRANTED_CALL': { always: failedOnPeer(/NOT_GRANTED_CALL/) },
    '400 INVALID_SIGNATURE': { always: failedOnPeer(/INVALID_SIGNATURE/) },
  }),
  ...row('locate: vMAC address lists', {
    '500': transient(failedOnPeer(/"status":500/)),
    '503': { always: failedOnPeer(/"status":503/) },
    'dropped connection': transient(failedOnPeer(/virtualAddress.*(ECONNRESET|socket hang up|closed)/)),
    'stall past the timeout': transient(failedOnPeer(noAnswer('virtualAddress'))),
    'malformed JSON': { always: failedOnPeer(/MALFORMED_RESPONSE/, 2) },
    '403 NOT_GRANTED_CALL': { always: failedOnPeer(/NOT_GRANTED_CALL.*queryId|queryId.*NOT_GRANTED_CALL/) },
    '400 INVALID_SIGNATURE': { always: failedOnPeer(/INVALID_SIGNATURE/) },
  }),
  ...row('locate: vMAC list', {
    '500': { always: failedOnPeer(/GET \/dedicated\/server\/[^/]+\/virtualMac:.*"status":500/) },
    '503': transient(failedOnPeer(/"status":503/)),
    'dropped connection': { always: failedOnPeer(/virtualMac.*(ECONNRESET|socket hang up|closed)/) },
    'stall past the timeout': { always: failedOnPeer(noAnswer('virtualMac')) },
    'malformed JSON': { always: failedOnPeer(/MALFORMED_RESPONSE/, 2) },
    '403 NOT_GRANTED_CALL': { always: failedOnPeer(/NOT_GRANTED_CALL/) },
    '400 INVALID_SIGNATURE': { always: failedOnPeer(/INVALID_SIGNATURE/) },
  }),
  // Any answer but a task leaves the DELETE's outcome unknown: the claim reads back
  // the list and the pending tasks, and sends it again (ovh.retries) only when OVH
  // shows neither; the VIP is still on the peer when it fails for good.
  ...row('DELETE', {
    '500': transient(failedOnPeer(/OVH shows no detach of 51\.68\.252\.230 and no task pending: sending DELETE again/)),
    '503': { always: failedOnPeer(/OVH shows no detach of 51\.68\.252\.230 and no task pending: sending DELETE again/) },
    'dropped connection': transient(failedOnPeer(/OVH shows no detach of 51\.68\.252\.230 and no task pending: sending DELETE again/)),
    'stall past the timeout': transient(failedOnPeer(/OVH shows no detach of 51\.68\.252\.230 and no task pending: sending DELETE again/)),
    'malformed JSON': { always: failedOnPeer(/MALFORMED_RESPONSE/, 2) },
    '403 NOT_GRANTED_CALL': { always: failedOnPeer(/NOT_GRANTED_CALL/) },
    '400 INVALID_SIGNATURE': { always: failedOnPeer(/INVALID_SIGNATURE/) },
    'task ovhError': transient(failedOnPeer(/ended ovhError twice/), ok(/detach task for 51\.68\.252\.230 ended ovhError/)),
    'task cancelled': transient(failedOnPeer(/ended cancelled twice/), ok(/detach task for 51\.68\.252\.230 ended cancelled/)),
    // Only the deadline ends a task that never finishes.
    'task never finishing': { always: failedOnPeer(/deadline/), deadlineMs: 8000 },
  }),
  {
    call: 'DELETE',
    fault: 'task ovhError',
    persistence: 'always',
    variant: 'as customerError',
    specs: [{ method: 'DELETE', path: ADDRESS, action: { type: 'task', outcome: 'customerError' } }],
    expect: failedOnPeer(/ended customerError twice/),
  },
  // Task reads happen every 10th poll of a wait, so these cells run against slow
  // tasks. A task read only tells a failed task early; when it keeps failing the
  // wait goes on with the address list, which is what proves the move.
  ...row('task poll', {
    // 5xx, drops and timeouts say nothing about the task: it is read again later, the list decides meanwhile.
    '500': { always: ok(/cannot read task \d+ for now; waiting on the address list, reading the task again later/) },
    '503': { always: ok(/cannot read task \d+ for now; waiting on the address list, reading the task again later/) },
    'dropped connection': { always: ok(/cannot read task \d+ for now; waiting on the address list, reading the task again later/) },
    'stall past the timeout': { always: ok(/cannot read task \d+ for now; waiting on the address list, reading the task again later/) },
    'malformed JSON': { always: ok(/cannot read task \d+; waiting on the address list alone/) },
    '403 NOT_GRANTED_CALL': { always: ok(/cannot read task \d+.*NOT_GRANTED_CALL|NOT_GRANTED_CALL.*cannot read task/) },
    '400 INVALID_SIGNATURE': { always: ok(/cannot read task \d+.*INVALID_SIGNATURE|INVALID_SIGNATURE.*cannot read task/) },
  }),
  {
    call: 'task poll',
    fault: '500',
    persistence: 'once',
    variant: 'after a 404 (fresh task)',
    specs: [
      { method: 'GET', path: TASK, times: 1, action: { type: 'status', status: 404 } },
      { method: 'GET', path: TASK, times: 1, action: { type: 'status', status: 500 } },
    ],
    expect: ok(),
  },
  // After the DELETE the VIP is routed nowhere: only an attach here helps, so a
  // POST whose outcome is unknown is read back and sent again until the deadline
  // unless the error is an auth one.
  ...row(
    'POST',
    {
      '500': transient(failedNowhere(/is detached, trying again/)),
      '503': { always: failedNowhere(/is detached, trying again/) },
      'dropped connection': transient(failedNowhere(/is detached, trying again/)),
      'stall past the timeout': transient(failedNowhere(/is detached, trying again/)),
      // An unreadable answer may hide an accepted POST: read back and try again, like a drop.
      'malformed JSON': { always: failedNowhere(/MALFORMED_RESPONSE.*is detached, trying again/) },
      '403 NOT_GRANTED_CALL': { always: failedNowhere(/NOT_GRANTED_CALL/) },
      '400 INVALID_SIGNATURE': { always: failedNowhere(/INVALID_SIGNATURE/) },
      // The attach task is read every tenth poll: with the cells’ 8 s deadline the deadline may come first.
      'task ovhError': transient(failedNowhere(/ended ovhError|deadline/), ok(/ended ovhError/)),
      'task cancelled': transient(failedNowhere(/ended cancelled|deadline/), ok(/ended cancelled/)),
      'task never finishing': { always: failedNowhere(/deadline/) },
      // A persistent POST failure is retried until the deadline: 8 s keeps these cells short and still leaves a loaded machine (start-up alone took 3.6 s at load 9) time for the detach before it.
    },
    { alwaysDeadlineMs: 8000 },
  ),
];

export function cellsOf(call: MatrixCall): MatrixCell[] {
  return MATRIX.filter((cell) => cell.call === call);
}

export function specsOf(cell: MatrixCell): FaultSpec[] {
  return cell.specs ?? [specFor(cell.call, cell.fault, cell.persistence)];
}
