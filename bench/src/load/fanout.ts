// Drives one room at a fixed send rate and records, per delivery, the time from send to receipt
// (same process, one monotonic clock), per receiver group (e.g. same node vs other node).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Socket } from 'socket.io-client';

import type { ServerProcess } from '../processes.js';
import { itemAt, sleep, summarize, type Summary, waitUntil } from '../stats.js';
import { emitAck } from './sockets.js';

const TEXT = 'The quick brown fox jumps over the lazy dog; a chat message of ordinary length for a benchmark.';

export interface StepResult {
  rate: number;
  sent: number;
  acked: number;
  sendErrors: number;
  expected: number;
  delivered: number;
  /** Deliveries per second from the first send to the last delivery of the step. */
  deliveriesPerSec: number;
  offeredDeliveriesPerSec: number;
  latency: Summary;
  byGroup: Record<string, Summary>;
  /** Server CPU-seconds spent per 1,000 deliveries (all server processes). */
  cpuSecPer1k: number;
  /** How long after the last send the last delivery arrived. */
  lagMs: number;
  /** Share of one core the load generator used during the step. */
  generatorCpu: number;
  behind: boolean;
}

/** Deliveries still arriving this long after the last send mean the server is falling behind. */
const MAX_LAG_MS = 500;

interface Pending {
  sentAt: number;
  remaining: number;
}

export class FanoutDriver {
  private pending = new Map<string, Pending>();
  private samples: number[] = [];
  private groupSamples = new Map<string, number[]>();
  private delivered = 0;
  private lastDeliveryAt = 0;
  private acked = new Set<string>();
  private readonly run = randomBytes(4).toString('hex');
  private counter = 0;

  constructor(
    private readonly members: Socket[],
    private readonly senders: Socket[],
    private readonly roomId: string,
    groupOf: (memberIndex: number) => string = () => 'all',
  ) {
    members.forEach((socket, index) => {
      const group = groupOf(index);
      if (!this.groupSamples.has(group)) this.groupSamples.set(group, []);
      const groupSamples = this.groupSamples.get(group)!;
      socket.on('message:created', (message: { clientId: string | null }) => {
        const entry = message.clientId ? this.pending.get(message.clientId) : undefined;
        if (!entry) return;
        const now = performance.now();
        const latency = now - entry.sentAt;
        this.samples.push(latency);
        groupSamples.push(latency);
        this.delivered++;
        this.lastDeliveryAt = now;
        if (--entry.remaining === 0) this.pending.delete(message.clientId!);
      });
    });
  }

  /** Sends `rate` messages/s for `durationMs`, then waits up to `drainMs` for the deliveries. */
  async step(rate: number, durationMs: number, drainMs: number, servers: ServerProcess[]): Promise<StepResult> {
    this.samples = [];
    for (const list of this.groupSamples.values()) list.length = 0;
    this.delivered = 0;
    let sent = 0;
    let acked = 0;
    let sendErrors = 0;
    const cpuBefore = await Promise.all(servers.map((s) => s.stats()));
    const genBefore = process.cpuUsage();
    const started = performance.now();
    const acks: Promise<void>[] = [];
    while (performance.now() - started < durationMs) {
      const due = Math.floor((rate * (performance.now() - started)) / 1000) - sent;
      for (let i = 0; i < due; i++) {
        const clientId = `${this.run}-${++this.counter}`;
        const sender = itemAt(this.senders, sent % this.senders.length);
        this.pending.set(clientId, { sentAt: performance.now(), remaining: this.members.length });
        sent++;
        acks.push(
          emitAck(sender, 'message:send', { roomId: this.roomId, clientId, text: TEXT }).then(
            () => {
              acked++;
              this.acked.add(clientId);
            },
            () => void sendErrors++,
          ),
        );
      }
      await sleep(5);
    }
    const sendingMs = performance.now() - started;
    const sendingEnded = performance.now();
    const expected = sent * this.members.length;
    await waitUntil(() => this.delivered >= expected, drainMs);
    await Promise.all(acks);
    const genUsage = process.cpuUsage(genBefore);
    const cpuAfter = await Promise.all(servers.map((s) => s.stats()));
    const serverCpuMs = cpuAfter.reduce((sum, after, i) => sum + after.cpuMs - itemAt(cpuBefore, i).cpuMs, 0);
    const spanMs = Math.max(sendingMs, this.lastDeliveryAt - started);
    const deliveriesPerSec = (this.delivered / spanMs) * 1000;
    const offeredDeliveriesPerSec = (expected / sendingMs) * 1000;
    // Behind: not everything arrived, or deliveries kept arriving well after the last send.
    const lagMs = this.lastDeliveryAt - sendingEnded;
    const byGroup = Object.fromEntries([...this.groupSamples].map(([group, list]) => [group, summarize(list)]));
    return {
      rate,
      sent,
      acked,
      sendErrors,
      expected,
      delivered: this.delivered,
      deliveriesPerSec,
      offeredDeliveriesPerSec,
      latency: summarize(this.samples),
      byGroup,
      cpuSecPer1k: this.delivered ? serverCpuMs / this.delivered : NaN,
      generatorCpu: (genUsage.user + genUsage.system) / 1000 / (performance.now() - started),
      lagMs,
      behind: this.delivered < expected || lagMs > MAX_LAG_MS || sendErrors > 0,
    };
  }

  /** Acked messages some member never received, after waiting `graceMs` for stragglers. */
  async lost(graceMs: number): Promise<{ messages: number; deliveries: number }> {
    await waitUntil(() => [...this.pending.keys()].every((id) => !this.acked.has(id)), graceMs);
    let messages = 0;
    let deliveries = 0;
    for (const [id, entry] of this.pending) {
      if (!this.acked.has(id)) continue;
      messages++;
      deliveries += entry.remaining;
    }
    return { messages, deliveries };
  }
}

/** Rates (messages/s into the room) tried in order until one fails. */
/** The latency of one group of receivers, as the driver's `group` named them. */
export function groupLatency(step: StepResult, group: string): Summary {
  const summary = step.byGroup[group];
  if (!summary) throw new Error(`No receiver was in group "${group}"`);
  return summary;
}

export function rateSteps(quick: boolean): number[] {
  return quick ? [5, 20, 40, 80, 160] : [5, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320];
}
