// P8's people: agents with the inbox open (a socket hearing `support:conversation`, and the lists
// they load while they work) and visitors writing in their conversations or starting new ones.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Socket } from 'socket.io-client';

import { api, type BenchUser, type Tenant } from '../confab.js';
import { itemAt, sleep, summarize, type Summary } from '../stats.js';
import { connectMany, emitAck } from './sockets.js';

const TEXT = 'Hello, my order has not arrived yet and the tracking page shows nothing. Can you help?';
const VISIT = { pageUrl: 'https://shop.example/orders/1234', userAgent: 'Mozilla/5.0 (bench)', locale: 'en-US' };

/** A conversation start as the widget sends it: a first message and what the browser tells about the visit. */
export const startBody = () => ({ text: TEXT, clientId: randomUUID(), visitor: VISIT });

export interface Agent {
  user: BenchUser;
  socket: Socket;
  /** Conversation id → when this agent first heard `support:conversation` about it. */
  seen: Map<string, number>;
  events: number;
}

/** Connects every agent's socket and counts what it hears. */
export async function connectAgents(url: string, tenant: Tenant, users: BenchUser[]): Promise<Agent[]> {
  const { sockets } = await connectMany({ url, app: tenant.id }, users.length, { token: (i) => itemAt(users, i).accessToken });
  return sockets.map((socket, i) => {
    const agent: Agent = { user: itemAt(users, i), socket, seen: new Map(), events: 0 };
    socket.on('support:conversation', (conversation: { id: string }) => {
      agent.events++;
      if (!agent.seen.has(conversation.id)) agent.seen.set(conversation.id, performance.now());
    });
    return agent;
  });
}

/** What an agent's screen asks for: the inbox list or the room list. */
export type Ask = 'inbox' | 'rooms';

/**
 * Every agent, in its own loop until `durationMs` is over, asks for the inbox and the room list
 * in turn with a think time of 0.5–1.5 s; returns the latencies (ms) of each.
 */
export async function sampleAgents(
  agents: Agent[],
  durationMs: number,
  ask: (agent: Agent, what: Ask) => Promise<void>,
): Promise<Record<Ask, Summary> & { errors: number; firstError?: string }> {
  const latencies: Record<Ask, number[]> = { inbox: [], rooms: [] };
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    agents.map(async (agent, i) => {
      let what: Ask = i % 2 ? 'rooms' : 'inbox';
      await sleep(Math.random() * 1_000);
      while (performance.now() - started < durationMs) {
        const t0 = performance.now();
        try {
          await ask(agent, what);
          latencies[what].push(performance.now() - t0);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
        what = what === 'inbox' ? 'rooms' : 'inbox';
        await sleep(500 + Math.random() * 1_000);
      }
    }),
  );
  return { inbox: summarize(latencies.inbox), rooms: summarize(latencies.rooms), errors, firstError };
}

export interface Visitor {
  user: BenchUser;
  roomId: string;
  socket: Socket;
}

/** Visitors of existing conversations with the widget open: a socket joined to their conversation. */
export async function connectVisitors(url: string, tenant: Tenant, users: BenchUser[], roomIds: string[]): Promise<Visitor[]> {
  const { sockets } = await connectMany({ url, app: tenant.id }, users.length, { token: (i) => itemAt(users, i).accessToken });
  const visitors = sockets.map((socket, i) => ({ user: itemAt(users, i), roomId: itemAt(roomIds, i), socket }));
  for (let i = 0; i < visitors.length; i += 100) {
    await Promise.all(visitors.slice(i, i + 100).map((v) => emitAck(v.socket, 'room:join', { roomId: v.roomId })));
  }
  return visitors;
}

export interface VisitorLoad {
  /** Messages sent and acknowledged, and the send→ack latencies. */
  sent: number;
  ack: Summary;
  sendErrors: number;
  firstError?: string;
  /** Conversations started, with when (performance.now()). */
  started: { id: string; at: number }[];
  startErrors: number;
}

/**
 * `rate` visitor messages/s, each from a visitor picked at random, for `durationMs`; meanwhile
 * one of `newcomers` starts a conversation (REST, with a first message) every `startEveryMs`.
 */
export async function runVisitors(
  url: string,
  tenant: Tenant,
  visitors: Visitor[],
  newcomers: BenchUser[],
  options: { rate: number; durationMs: number; startEveryMs: number },
): Promise<VisitorLoad> {
  const acks: number[] = [];
  const load: VisitorLoad = { sent: 0, ack: summarize([]), sendErrors: 0, started: [], startErrors: 0 };
  const inFlight: Promise<void>[] = [];
  const began = performance.now();
  let starts = 0;
  while (performance.now() - began < options.durationMs) {
    const elapsed = performance.now() - began;
    for (let due = Math.floor((options.rate * elapsed) / 1000) - load.sent; due > 0; due--) {
      const visitor = itemAt(visitors, Math.floor(Math.random() * visitors.length));
      const t0 = performance.now();
      load.sent++;
      inFlight.push(
        emitAck(visitor.socket, 'message:send', { roomId: visitor.roomId, clientId: randomUUID(), text: TEXT }).then(
          () => void acks.push(performance.now() - t0),
          (err: Error) => {
            load.sendErrors++;
            load.firstError ??= err.message;
          },
        ),
      );
    }
    if (elapsed >= starts * options.startEveryMs && starts < newcomers.length) {
      const visitor = itemAt(newcomers, starts++);
      const at = performance.now();
      inFlight.push(
        api<{ id: string }>(url, 'POST', '/v1/support/conversations', tenant.id, startBody(), visitor.accessToken)
          .then((conversation) => void load.started.push({ id: conversation.id, at }))
          .catch((err: Error) => {
            load.startErrors++;
            load.firstError ??= err.message;
          }),
      );
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return { ...load, ack: summarize(acks) };
}
