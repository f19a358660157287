// Drives one room at a fixed send rate with the room's members spread over several generator
// processes (`fanout-members.ts`), so that receiving 1,000 copies of each message is not what
// limits the measurement. Senders are members too; each process sends its share of the rate.
//
// One clock: every timestamp is CLOCK_MONOTONIC in microseconds (`process.hrtime()`), the
// kernel's clock since boot, which every process on the machine reads alike. The sender puts its
// send instant in the clientId, the receiver subtracts it from its own reading on arrival. The
// fleet checks this at start (an IPC ping to each process) and refuses to measure if it does not hold.
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

import { busyShare, machineTimes } from '../machine.js';
import type { ServerProcess } from '../processes.js';
import { itemAt, sleep, summarize, type Summary } from '../stats.js';
import { nowUs } from './clock.js';
import type { ChurnSpec, ChurnTotals, FanoutReply, FanoutRequest, MemberSpec } from './fanout-protocol.js';

export type { ChurnSpec, ChurnTotals, MemberSpec } from './fanout-protocol.js';
import { spawnWorker, stopWorker, type Worker } from './workers.js';

export interface StepResult {
  rate: number;
  sent: number;
  acked: number;
  sendErrors: number;
  expected: number;
  delivered: number;
  /** Deliveries per second over the step (its window, or until the last delivery when that came later). */
  deliveriesPerSec: number;
  offeredDeliveriesPerSec: number;
  latency: Summary;
  byGroup: Record<string, Summary>;
  /** Server CPU-seconds spent per 1,000 deliveries (all server processes). */
  cpuSecPer1k: number;
  /** The servers' CPU over the step, in cores. */
  serverCores: number;
  /** The servers' event-loop delay over the step (the worst server's p99 and max, ms). */
  serverLoop: { p99: number; max: number };
  /** How long after the last send the last delivery arrived. */
  lagMs: number;
  /** The generator processes' CPU over the step: all of them in cores, and the busiest one's share of a core. */
  generatorCores: number;
  generatorBusiest: number;
  /** Share of the machine's cores busy over the step (everything running on it). */
  machineBusy: number;
  /** Cores the rest of the machine used meanwhile: PostgreSQL, Redis, and whatever else runs there. */
  otherCores: number;
  behind: boolean;
}

/** Deliveries still arriving this long after the last send mean the server is falling behind. */
const MAX_LAG_MS = 500;
/** More than this between two processes' readings of the clock and latencies across them mean nothing. */
const MAX_SKEW_US = 1_000;
const SCRIPT = fileURLToPath(new URL('./fanout-members.js', import.meta.url));

type Member = Worker<FanoutRequest, FanoutReply>;

export interface FanoutFleet {
  /** Members connected and joined. */
  ready: number;
  /** The largest clock difference measured between this process and a generator process, bounded by the ping's half round trip (µs). */
  clockSkewUs: number;
  /** Sends `rate` messages/s for `durationMs`, then waits up to `drainMs` for the deliveries. */
  step(rate: number, durationMs: number, drainMs: number, servers: ServerProcess[]): Promise<StepResult>;
  /** Waits until every copy of every message sent so far arrived, or `timeoutMs` passed (after a step that fell behind). */
  settle(timeoutMs: number): Promise<void>;
  /** Acked messages some member never received, after waiting `graceMs` for stragglers. */
  lost(graceMs: number): Promise<{ messages: number; deliveries: number }>;
  /** Starts connect/join/leave/disconnect churn in every process. */
  startChurn(spec: ChurnSpec): Promise<void>;
  /** Stops it (every churning socket closed) and sums what it did. */
  stopChurn(): Promise<ChurnTotals>;
  close(): Promise<void>;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A bound on the clock difference with `worker`: the offset the fastest of 20 pings measured, plus half its round trip. */
async function measureSkew(worker: Member): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const t0 = nowUs();
    const { nowUs: theirs } = await worker.ask({ type: 'clock' }, 5_000);
    const t1 = nowUs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: theirs - (t0 + t1) / 2 };
  }
  if (Math.abs(best.offset) > MAX_SKEW_US + best.rtt / 2) {
    throw new Error(`generator processes do not share a clock: offset ${Math.round(best.offset)} µs (ping ${Math.round(best.rtt)} µs)`);
  }
  return Math.abs(best.offset) + best.rtt / 2;
}

/** Forks `processes` generator processes, deals the members to them in turn, connects and joins them all. */
export async function startFanoutFleet(options: { roomId: string; members: MemberSpec[]; processes: number }): Promise<FanoutFleet> {
  const count = Math.min(options.processes, options.members.length);
  const run = randomBytes(4).toString('hex');
  const workers: Member[] = Array.from({ length: count }, (_, i) =>
    spawnWorker<FanoutRequest, FanoutReply>(SCRIPT, `fan-out process ${i}`),
  );
  const close = async () => void (await Promise.all(workers.map((w) => stopWorker(w, { type: 'close' }))));
  try {
    const shares = workers.map((_, i) => options.members.filter((_, m) => m % count === i));
    const started = await Promise.all(
      workers.map((w, i) => w.ask({ type: 'start', run, worker: i, roomId: options.roomId, members: itemAt(shares, i) }, 180_000)),
    );
    const skews = await Promise.all(workers.map(measureSkew));
    return createFleet(workers, shares, sum(started.map((s) => s.ready)), Math.max(...skews), close);
  } catch (err) {
    await close();
    throw err;
  }
}

function createFleet(
  workers: Member[],
  shares: MemberSpec[][],
  ready: number,
  clockSkewUs: number,
  close: () => Promise<void>,
): FanoutFleet {
  const members = sum(shares.map((s) => s.length));
  const senders = shares.map((s) => s.filter((m) => m.sender).length);
  const totalSenders = sum(senders);
  if (!totalSenders) throw new Error('a fan-out fleet needs at least one sender');
  const acked = new Set<string>();
  let stepNumber = 0;
  const progress = async () => {
    const parts = await Promise.all(workers.map((w) => w.ask({ type: 'progress' }, 10_000)));
    return { delivered: sum(parts.map((p) => p.delivered)), total: sum(parts.map((p) => p.total)) };
  };
  const waitFor = async (expected: number, deadlineUs: number) => {
    while ((await progress()).delivered < expected && nowUs() < deadlineUs) await sleep(50);
  };

  const step = async (rate: number, durationMs: number, drainMs: number, servers: ServerProcess[]): Promise<StepResult> => {
    const cpuBefore = await Promise.all(servers.map((s) => s.stats()));
    await Promise.all(servers.map((s) => s.loopDelay(true)));
    const machineBefore = machineTimes();
    const ownBefore = process.cpuUsage();
    const number = ++stepNumber;
    await Promise.all(workers.map((w) => w.ask({ type: 'begin', step: number }, 10_000)));
    const startedUs = nowUs();
    const sends = await Promise.all(
      workers.map((w, i) =>
        itemAt(senders, i)
          ? w.ask({ type: 'send', rate: (rate * itemAt(senders, i)) / totalSenders, durationMs }, durationMs + 30_000)
          : null,
      ),
    );
    const sent = sum(sends.map((s) => s?.sent ?? 0));
    const sendingEndedUs = Math.max(...sends.map((s) => s?.endedUs ?? 0));
    const expected = sent * members;
    await waitFor(expected, sendingEndedUs + drainMs * 1000);
    const parts = await Promise.all(workers.map((w) => w.ask({ type: 'end' }, 60_000)));
    const endedUs = nowUs();
    const cpuAfter = await Promise.all(servers.map((s) => s.stats()));
    const loops = await Promise.all(servers.map((s) => s.loopDelay()));
    const machineAfter = machineTimes();
    const own = process.cpuUsage(ownBefore);
    for (const part of parts) for (const id of part.acked) acked.add(id);

    const stepDelivered = sum(parts.map((p) => p.delivered));
    const lastUs = Math.max(...parts.map((p) => p.lastUs));
    const elapsedMs = (endedUs - startedUs) / 1000;
    const serverCpuMs = sum(cpuAfter.map((after, i) => after.cpuMs - itemAt(cpuBefore, i).cpuMs));
    // Over the step's window, or until the last copy arrived when that was later.
    const spanMs = Math.max(durationMs, (lastUs - startedUs) / 1000);
    const generatorMs = sum(parts.map((p) => p.cpuMs)) + (own.user + own.system) / 1000;
    const lagMs = lastUs ? (lastUs - sendingEndedUs) / 1000 : NaN;
    const sendErrors = sum(parts.map((p) => p.sendErrors));
    const groupNames = [...new Set(parts.flatMap((p) => Object.keys(p.groups)))];
    const samplesOf = (group?: string) =>
      parts.flatMap((p) => (group ? [p.groups[group] ?? new Float64Array()] : Object.values(p.groups))).flatMap((a) => Array.from(a));
    return {
      rate,
      sent,
      acked: sum(parts.map((p) => p.acked.length)),
      sendErrors,
      expected,
      delivered: stepDelivered,
      deliveriesPerSec: (stepDelivered / spanMs) * 1000,
      offeredDeliveriesPerSec: (expected / durationMs) * 1000,
      latency: summarize(samplesOf()),
      byGroup: Object.fromEntries(groupNames.map((g) => [g, summarize(samplesOf(g))])),
      cpuSecPer1k: stepDelivered ? serverCpuMs / stepDelivered : NaN,
      serverCores: serverCpuMs / elapsedMs,
      serverLoop: { p99: Math.max(...loops.map((l) => l.p99)), max: Math.max(...loops.map((l) => l.max)) },
      generatorCores: generatorMs / elapsedMs,
      generatorBusiest: Math.max(...parts.map((p) => p.cpuMs)) / elapsedMs,
      machineBusy: busyShare(machineBefore, machineAfter),
      otherCores: Math.max(0, busyShare(machineBefore, machineAfter) * cpus().length - serverCpuMs / elapsedMs - generatorMs / elapsedMs),
      lagMs,
      behind: stepDelivered < expected || lagMs > MAX_LAG_MS || sendErrors > 0,
    };
  };

  return {
    ready,
    clockSkewUs,
    step,
    settle: async (timeoutMs) => {
      // A server that fell behind is still sending the backlog: the next step must not pay for it.
      const deadline = nowUs() + timeoutMs * 1000;
      let last = -1;
      while (nowUs() < deadline) {
        const { total } = await progress();
        if (total === last) return;
        last = total;
        await sleep(500);
      }
    },
    lost: async (graceMs) => {
      const ids = [...acked];
      const missing = async () => {
        const parts = await Promise.all(workers.map((w) => w.ask({ type: 'counts', clientIds: ids }, 30_000)));
        return ids.map((_, i) => members - sum(parts.map((p) => p.counts[i] ?? 0)));
      };
      const deadline = nowUs() + graceMs * 1000;
      let gaps = await missing();
      while (gaps.some((g) => g > 0) && nowUs() < deadline) {
        await sleep(200);
        gaps = await missing();
      }
      const short = gaps.filter((g) => g > 0);
      return { messages: short.length, deliveries: sum(short) };
    },
    startChurn: async (spec) => void (await Promise.all(workers.map((w) => w.ask({ type: 'churn', spec }, 10_000)))),
    stopChurn: async () => {
      const parts = await Promise.all(workers.map((w) => w.ask({ type: 'churn-stop' }, 60_000)));
      return {
        cycles: sum(parts.map((p) => p.cycles)),
        errors: sum(parts.map((p) => p.errors)),
        sampleError: parts.find((p) => p.sampleError)?.sampleError,
      };
    },
    close,
  };
}

/** The latency of one group of receivers, as the members' `group` named them. */
export function groupLatency(step: StepResult, group: string): Summary {
  const summary = step.byGroup[group];
  if (!summary) throw new Error(`No receiver was in group "${group}"`);
  return summary;
}
