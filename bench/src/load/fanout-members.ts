// One generator process of a fan-out fleet (forked by `fanout.ts`): its share of the room's
// members, each a lean Socket.IO client (`raw-socket.ts`) joined to the room, timing every copy it
// receives; its senders send its share of the rate; and, in the soak, socket.io-client sockets
// that come and go as real clients do.
import type { Socket } from 'socket.io-client';

import { mapLimit, sleep } from '../stats.js';
import { nowUs } from './clock.js';
import type { ChurnSpec, ChurnTotals, FanoutAnswer, FanoutReply, FanoutRequest, MemberSpec, StepPart } from './fanout-protocol.js';
import { clientIdOf, connectRaw, type RawSocket } from './raw-socket.js';
import { connectOne, emitAck } from './sockets.js';
import { serveRequests } from './workers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog; a chat message of ordinary length for a benchmark.';

type Start = Extract<FanoutRequest, { type: 'start' }>;

let run = '';
let worker = 0;
let roomId = '';
let sockets: RawSocket[] = [];
let senders: RawSocket[] = [];
let counter = 0;

/** Copies received per clientId, over every step (for loss). */
const copies = new Map<string, number>();
let total = 0;

interface StepState {
  number: number;
  delivered: number;
  lastUs: number;
  groups: Map<string, number[]>;
  acked: string[];
  acks: Promise<void>[];
  sendErrors: number;
  firstError?: string;
  cpu: NodeJS.CpuUsage;
}
let step: StepState = newStep(0);

function newStep(number: number): StepState {
  return { number, delivered: 0, lastUs: 0, groups: new Map(), acked: [], acks: [], sendErrors: 0, cpu: process.cpuUsage() };
}

/** clientId = run.step.sender-n.sentUs: which run and step it belongs to and when it was sent, on the shared clock. */
function parse(clientId: string | null): { step: number; sentUs: number } | null {
  const parts = clientId?.split('.');
  if (!parts || parts.length !== 4 || parts[0] !== run) return null;
  return { step: Number(parts[1]), sentUs: Number(parts[3]) };
}

function receive(group: string, clientId: string | null): void {
  const at = nowUs();
  const sent = parse(clientId);
  if (!sent) return;
  copies.set(clientId!, (copies.get(clientId!) ?? 0) + 1);
  total++;
  // A straggler of an earlier step counts for loss, not in this step's figures.
  if (sent.step !== step.number) return;
  step.delivered++;
  step.lastUs = at;
  let samples = step.groups.get(group);
  if (!samples) step.groups.set(group, (samples = []));
  samples.push((at - sent.sentUs) / 1000);
}

async function start(request: Start): Promise<{ ready: number; ms: number }> {
  const started = nowUs();
  ({ run, worker, roomId } = request);
  const opened = await mapLimit(request.members, 50, async (spec: MemberSpec) => {
    const socket = await connectRaw({ url: spec.url, app: spec.app }, { token: spec.token });
    socket.onEvent('message:created', (frame) => receive(spec.group, clientIdOf(frame)));
    await socket.emitAck('room:join', { roomId });
    return { socket, spec };
  });
  sockets = opened.map((o) => o.socket);
  senders = opened.filter((o) => o.spec.sender).map((o) => o.socket);
  return { ready: sockets.length, ms: (nowUs() - started) / 1000 };
}

/** Sends `rate` messages/s for `durationMs` (message k at k / rate) through this process's senders in turn. */
async function send(rate: number, durationMs: number): Promise<{ sent: number; startedUs: number; endedUs: number }> {
  const startedUs = nowUs();
  const total = Math.round((rate * durationMs) / 1000);
  let sent = 0;
  const current = step;
  while (sent < total) {
    const due = Math.min(total, Math.floor((rate * (nowUs() - startedUs)) / 1e6) + 1) - sent;
    for (let i = 0; i < due; i++) {
      const sender = senders[sent % senders.length]!;
      const clientId = `${run}.${current.number}.${worker}-${++counter}.${Math.round(nowUs())}`;
      sent++;
      current.acks.push(
        sender.emitAck('message:send', { roomId, clientId, text: TEXT }).then(
          () => void current.acked.push(clientId),
          (err: Error) => {
            current.sendErrors++;
            current.firstError ??= err.message;
          },
        ),
      );
    }
    if (sent < total) await sleep(5);
  }
  return { sent, startedUs, endedUs: nowUs() };
}

async function end(): Promise<StepPart> {
  const current = step;
  await Promise.all(current.acks);
  const cpu = process.cpuUsage(current.cpu);
  // Between steps: stragglers arriving from now on count for loss only.
  step = newStep(-1);
  return {
    delivered: current.delivered,
    lastUs: current.lastUs,
    groups: Object.fromEntries([...current.groups].map(([group, samples]) => [group, Float64Array.from(samples)])),
    acked: current.acked,
    sendErrors: current.sendErrors,
    firstError: current.firstError,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

interface ChurnState {
  stop: boolean;
  lanes: Promise<void>[];
  totals: ChurnTotals;
}
let churn: ChurnState | null = null;

/** One churning socket after another: connect, join, stay a while, leave, disconnect. */
async function churnLane(spec: ChurnSpec, lane: number, state: ChurnState): Promise<void> {
  let n = lane;
  while (!state.stop) {
    const index = n;
    n += spec.lanes;
    let socket: Socket | null = null;
    try {
      const token = spec.tokens.length ? spec.tokens[index % spec.tokens.length] : undefined;
      socket = await connectOne({ url: spec.url, app: spec.app }, index, {
        ...(token ? { token: () => token } : {}),
        localAddresses: spec.localAddresses,
      });
      await emitAck(socket, 'room:join', { roomId: spec.roomId }, 10_000);
      await sleep(spec.holdMs[0] + Math.random() * (spec.holdMs[1] - spec.holdMs[0]));
      await emitAck(socket, 'room:leave', { roomId: spec.roomId }, 10_000);
      state.totals.cycles++;
    } catch (err) {
      state.totals.errors++;
      state.totals.sampleError ??= (err as Error)?.message ?? String(err);
      await sleep(200);
    } finally {
      socket?.close();
    }
  }
}

function startChurn(spec: ChurnSpec): void {
  if (churn) throw new Error('churn is already running');
  const state: ChurnState = { stop: false, lanes: [], totals: { cycles: 0, errors: 0 } };
  state.lanes = Array.from({ length: spec.lanes }, (_, lane) => churnLane(spec, lane, state));
  churn = state;
}

async function stopChurn(): Promise<ChurnTotals> {
  const state = churn;
  if (!state) return { cycles: 0, errors: 0 };
  state.stop = true;
  await Promise.all(state.lanes);
  churn = null;
  return state.totals;
}

async function answer(request: FanoutRequest): Promise<FanoutAnswer> {
  switch (request.type) {
    case 'start':
      return { type: 'start', ...(await start(request)) };
    case 'clock':
      return { type: 'clock', nowUs: nowUs() };
    case 'begin':
      step = newStep(request.step);
      return { type: 'begin' };
    case 'send':
      return { type: 'send', ...(await send(request.rate, request.durationMs)) };
    case 'progress':
      return { type: 'progress', delivered: step.delivered, total };
    case 'end':
      return { type: 'end', ...(await end()) };
    case 'counts':
      return { type: 'counts', counts: request.clientIds.map((id) => copies.get(id) ?? 0) };
    case 'churn':
      startChurn(request.spec);
      return { type: 'churn' };
    case 'churn-stop':
      return { type: 'churn-stop', ...(await stopChurn()) };
    case 'close':
      await stopChurn();
      for (const socket of sockets) socket.close();
      return { type: 'close' };
  }
}

serveRequests<FanoutRequest, FanoutReply>(answer);
