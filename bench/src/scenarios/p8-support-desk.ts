// P8: a busy support desk. 50 agents online with the inbox open, 10,000 open conversations, 20
// visitor messages/s over them and a new conversation every 2 s. The agents load the inbox list
// and their room list (with unread counts) while it runs; every agent must hear every new
// conversation live. Baseline: the same queries straight to PostgreSQL, under the same load.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import pg from 'pg';
import type { Socket } from 'socket.io-client';

import { type BenchUser, signInUsers, startConfab, type Tenant } from '../confab.js';
import { type BenchContext, profiled } from '../context.js';
import { closeAll } from '../load/sockets.js';
import {
  type Agent,
  type Ask,
  connectAgents,
  connectVisitors,
  runVisitors,
  sampleAgents,
  type Visitor,
  type VisitorLoad,
} from '../load/support-desk.js';
import { busyShare, machineTimes } from '../machine.js';
import type { LoopDelay, ServerProcess } from '../processes.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, percentile, round, sleep, type Summary } from '../stats.js';
import { AGENTS, CONVERSATIONS, type Desk, prepareDesk, visitorHostId, visitorName } from './p8-desk.js';
import { INBOX_SQL, inboxPage, inboxParams, ROOMS_SQL, roomsPage, roomsParams } from './p8-sql.js';

const VISITOR_RATE = 20;
const START_EVERY_MS = 2_000;
/** The inbox app's page (widget chat-inbox: `limit: 30`, tab "open"); the room list's is the API default. */
const INBOX_LIMIT = 30;
const ROOMS_LIMIT = 50;
/** Confab's pool size: the baseline's queries get as many connections. */
const POOL = 10;
const LIMIT_MS = 50;
const n = (value: number) => Math.round(value).toLocaleString('en-US');

interface Plans {
  inbox: string[];
  rooms: string[];
}

/** `EXPLAIN ANALYZE` of the two page queries for agent 0: the plans go to the JSON file, the times to the notes. */
async function explain(db: pg.Pool, desk: Desk): Promise<Plans> {
  const plan = async (sql: string, params: unknown[]) =>
    (await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
  const agent = itemAt(desk.agents, 0).id;
  return {
    inbox: await plan(INBOX_SQL, inboxParams(agent, desk.tenant.id, INBOX_LIMIT)),
    rooms: await plan(ROOMS_SQL, roomsParams(agent, desk.tenant.id, ROOMS_LIMIT)),
  };
}

interface Phase {
  inbox: Summary;
  rooms: Summary;
  errors: number;
  firstError?: string;
  load: VisitorLoad;
  visitors: number;
  serverCores: number;
  generatorShare: number;
  /** Share of the machine's cores busy during the phase (everything on it). */
  machineBusy: number;
  /** Confab's event-loop delay over the phase. */
  loop: LoopDelay;
}

const phaseMs = (ctx: BenchContext) => (ctx.quick ? 15_000 : 60_000);

/** One phase: the visitor load through Confab while the agents load their lists with `ask`. */
async function phase(
  ctx: BenchContext,
  label: string,
  node: ServerProcess,
  people: People,
  index: 0 | 1,
  ask: (agent: Agent, what: Ask) => Promise<void>,
): Promise<Phase> {
  const durationMs = phaseMs(ctx);
  const before = await node.stats();
  await node.loopDelay(true);
  const machineBefore = machineTimes();
  const ownBefore = process.cpuUsage();
  const t0 = performance.now();
  const [sampled, load] = await Promise.all([
    sampleAgents(people.agents, durationMs, ask),
    runVisitors(node.url, people.tenant, people.visitors, people.newcomers[index], {
      rate: VISITOR_RATE,
      durationMs,
      startEveryMs: START_EVERY_MS,
    }),
  ]);
  const elapsed = performance.now() - t0;
  const after = await node.stats();
  const loop = await node.loopDelay();
  const own = process.cpuUsage(ownBefore);
  ctx.log(
    `  ${label}: inbox p99 ${round(sampled.inbox.p99)} ms (${sampled.inbox.count}), rooms p99 ${round(sampled.rooms.p99)} ms ` +
      `(${sampled.rooms.count}); ${load.sent} visitor messages (ack p99 ${round(load.ack.p99)} ms), ${load.started.length} started`,
  );
  return {
    ...sampled,
    load,
    visitors: people.visitors.length,
    serverCores: (after.cpuMs - before.cpuMs) / elapsed,
    generatorShare: (own.user + own.system) / 1000 / elapsed,
    machineBusy: busyShare(machineBefore),
    loop,
  };
}

interface Liveness {
  started: number;
  /** Notifications due: every agent for every conversation started. */
  expected: number;
  missed: number;
  latencies: number[];
}

/** Per new conversation, how many agents never heard of it, and the start→heard latencies of those that did. */
function liveness(agents: Agent[], started: { id: string; at: number }[]): Liveness {
  let missed = 0;
  const latencies: number[] = [];
  for (const { id, at } of started) {
    for (const agent of agents) {
      const seenAt = agent.seen.get(id);
      if (seenAt === undefined) missed++;
      else latencies.push(Math.max(0, seenAt - at));
    }
  }
  return { started: started.length, expected: started.length * agents.length, missed, latencies };
}

interface People {
  tenant: Tenant;
  agents: Agent[];
  visitors: Visitor[];
  /** Visitors who start a conversation during each phase. */
  newcomers: [BenchUser[], BenchUser[]];
}

/** The agents' sockets, the visitors of a random sample of the conversations (the others stay quiet), and the newcomers. */
async function arrive(ctx: BenchContext, url: string, desk: Desk, sockets: Socket[]): Promise<People> {
  const { tenant } = desk;
  const active = [...desk.roomIds.keys()].sort(() => Math.random() - 0.5).slice(0, ctx.quick ? 200 : 1_000);
  ctx.log(`  connecting ${AGENTS} agents and ${active.length} visitors…`);
  const agents = await connectAgents(url, tenant, desk.agents);
  sockets.push(...agents.map((a) => a.socket));
  // Sign in as the seeded visitors (their host ids and names, p8-desk.ts and p8-seed.ts).
  const visitorUsers = await signInUsers(url, tenant, active.length, 32, {
    subject: (i) => visitorHostId(itemAt(active, i)),
    name: (i) => visitorName(itemAt(active, i)),
  });
  const rooms = active.map((i) => itemAt(desk.roomIds, i));
  const visitors = await connectVisitors(url, tenant, visitorUsers, rooms);
  sockets.push(...visitors.map((v) => v.socket));
  const each = Math.ceil(phaseMs(ctx) / START_EVERY_MS) + 1;
  const newcomers = await signInUsers(url, tenant, 2 * each, 16, { name: (i) => `Newcomer ${i}` });
  return { tenant, agents, visitors, newcomers: [newcomers.slice(0, each), newcomers.slice(each)] };
}

/** The lists over HTTP, as the inbox app loads them; checks once that the inbox is full. */
async function httpAsk(url: string, people: People): Promise<(agent: Agent, what: Ask) => Promise<void>> {
  const paths: Record<Ask, string> = { inbox: `/v1/support/conversations?status=open&limit=${INBOX_LIMIT}`, rooms: '/v1/rooms' };
  const get = async (agent: Agent, what: Ask) => {
    const res = await fetch(url + paths[what], {
      headers: { authorization: `Bearer ${agent.user.accessToken}`, 'x-confab-app': people.tenant.id },
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`${paths[what]}: ${res.status} ${body.slice(0, 200)}`);
    return body;
  };
  // The inbox app's first screen, once per agent (not measured).
  for (const agent of people.agents) await get(agent, 'inbox');
  const first = JSON.parse(await get(itemAt(people.agents, 0), 'inbox')) as { items: unknown[]; hasMore: boolean };
  if (first.items.length !== INBOX_LIMIT || !first.hasMore) throw new Error(`the inbox showed ${first.items.length} conversations`);
  return async (agent, what) => void (await get(agent, what));
}

/** The same lists straight from PostgreSQL. */
const sqlAsk = (db: pg.Pool, appId: string) => async (agent: Agent, what: Ask) =>
  void (what === 'inbox' ? await inboxPage(db, agent.user.id, appId, INBOX_LIMIT) : await roomsPage(db, agent.user.id, appId, ROOMS_LIMIT));

export async function p8SupportDesk(ctx: BenchContext): Promise<ScenarioResult> {
  const db = new pg.Pool({ connectionString: ctx.env.databaseUrl, max: POOL });
  const sockets: Socket[] = [];
  let node: ServerProcess | null = null;
  try {
    ctx.log(`  seeding ${n(CONVERSATIONS)} conversations…`);
    const desk = await prepareDesk(ctx, db);
    const plans = await explain(db, desk);
    // A fresh Redis prefix: no cache of this app predates the rows written behind the server's back.
    node = await startConfab({ ...ctx.env, redisPrefix: `confab-bench-p8-${randomBytes(4).toString('hex')}:` }, 'p8-confab');
    const people = await arrive(ctx, node.url, desk, sockets);
    const http = await httpAsk(node.url, people);
    const confab = await profiled(ctx, node, 'p8-confab', () => phase(ctx, 'confab', node!, people, 0, http));
    const baseline = await phase(ctx, 'baseline', node, people, 1, sqlAsk(db, desk.tenant.id));
    // Stragglers: a notification still on its way is late, not missed.
    await sleep(5_000);
    const live = liveness(people.agents, [...confab.load.started, ...baseline.load.started]);
    return report(ctx, { desk, confab, baseline, live, plans });
  } finally {
    closeAll(sockets);
    await db.end();
    await node?.stop();
  }
}

function report(
  ctx: BenchContext,
  { desk, confab, baseline, live, plans }: { desk: Desk; confab: Phase; baseline: Phase; live: Liveness; plans: Plans },
): ScenarioResult {
  const heard = Float64Array.from(live.latencies).sort();
  const ms = (s: Summary) => `${round(s.p99)} ms`;
  const lists = (p: Phase) => `${p.inbox.count} / ${p.rooms.count} / ${p.errors}`;
  const sends = (p: Phase) => `${p.load.sent} / ${ms(p.load.ack)}`;
  const firstError = confab.firstError ?? baseline.firstError ?? confab.load.firstError ?? baseline.load.firstError;
  return {
    id: 'P8',
    title: `busy support desk: ${AGENTS} agents online, ${n(CONVERSATIONS)} open conversations, ${VISITOR_RATE} visitor msg/s`,
    baseline: `same SQL via pg (pool ${POOL})`,
    rows: [
      {
        metric: 'inbox list p50 (GET /v1/support/conversations)',
        confab: confab.inbox.p50,
        baseline: baseline.inbox.p50,
        unit: 'ms',
        better: 'lower',
      },
      { metric: 'inbox list p99', confab: confab.inbox.p99, baseline: baseline.inbox.p99, unit: 'ms', better: 'lower' },
      {
        metric: 'room list with unread counts p50 (GET /v1/rooms)',
        confab: confab.rooms.p50,
        baseline: baseline.rooms.p50,
        unit: 'ms',
        better: 'lower',
      },
      { metric: 'room list p99', confab: confab.rooms.p99, baseline: baseline.rooms.p99, unit: 'ms', better: 'lower' },
      { metric: 'lists loaded (inbox / rooms) / failed', confab: lists(confab), baseline: lists(baseline) },
      { metric: 'visitor messages sent / send→ack p99 (through Confab in both)', confab: sends(confab), baseline: sends(baseline) },
      {
        metric: `new conversations / agent notifications missed (of ${n(live.expected)})`,
        confab: `${live.started} / ${live.missed}`,
        baseline: '',
      },
      {
        metric: 'new conversation → an agent heard it: p50 / p99',
        confab: `${round(percentile(heard, 50))} / ${round(percentile(heard, 99))} ms`,
        baseline: '',
      },
    ],
    target: {
      text: `inbox list and room list p99 ≤ ${LIMIT_MS} ms under the load; every agent hears every new conversation`,
      met: confab.inbox.p99 <= LIMIT_MS && confab.rooms.p99 <= LIMIT_MS && live.missed === 0 && live.started > 0,
    },
    notes: [
      `${n(CONVERSATIONS)} open conversations: 2 started through the API, the others cloned from them straight into PostgreSQL ` +
        `(${round(desk.seedMs / 1000)} s); 40% claimed by the agents in turn (about ${Math.round((CONVERSATIONS * 0.4) / AGENTS)} ` +
        `each: an agent's room list); ${confab.visitors} visitors have the widget open (a socket) and send the ` +
        `${VISITOR_RATE} messages/s at random; a newcomer starts a conversation (REST, with a first message) ` +
        `every ${START_EVERY_MS / 1000} s`,
      `each agent has a socket hearing \`support:conversation\` and, for ${phaseMs(ctx) / 1000} s, loads the inbox ` +
        `(status open, ${INBOX_LIMIT} a page, as the inbox app does) and its room list (${ROOMS_LIMIT} a page) in turn, 0.5–1.5 s apart`,
      'the baseline phase follows with the same visitor load through Confab; only the lists are read by pg instead, with the SQL ' +
        "of SupportService.inbox and RoomsService.list and their loaders in the same stages (not the server's per-request token check)",
      `Confab used ${round(confab.serverCores, 2)} cores in its phase (${round(baseline.serverCores, 2)} in the baseline's), ` +
        `its event loop ran late by p99 ${round(confab.loop.p99)} ms, at most ${round(confab.loop.max)} ms; ` +
        `the generator ${Math.round(confab.generatorShare * 100)}% of a core; the machine's cores were ` +
        `${Math.round(confab.machineBusy * 100)}% busy (${Math.round(baseline.machineBusy * 100)}%)`,
      `EXPLAIN ANALYZE for agent 0 before the load: inbox page query ${timeOf(plans.inbox)}, room list page query ` +
        `${timeOf(plans.rooms)} (plans in the JSON file)`,
      ...(desk.uncloned.length ? [`the seeding did not copy rows of: ${desk.uncloned.join(', ')}`] : []),
      ...(firstError ? [`first error: ${firstError}`] : []),
    ],
    raw: { confab, baseline, liveness: { started: live.started, missed: live.missed }, plans, uncloned: desk.uncloned },
  };
}

const timeOf = (plan: string[]) => plan.find((line) => line.startsWith('Execution Time'))?.replace('Execution Time: ', '') ?? '?';
