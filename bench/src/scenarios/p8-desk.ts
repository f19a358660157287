// P8's desk before the load: a tenant, its agents and 10,000 open conversations (two started
// through the API, the rest cloned from them straight into PostgreSQL by p8-seed.ts).
import { performance } from 'node:perf_hooks';

import type pg from 'pg';
import type { Socket } from 'socket.io-client';

import { api, type BenchUser, createTenant, signInUsers, startConfab, type Tenant } from '../confab.js';
import type { BenchContext } from '../context.js';
import { connectOne } from '../load/sockets.js';
import { startBody } from '../load/support-desk.js';
import type { ServerProcess } from '../processes.js';
import { itemAt, sleep } from '../stats.js';
import { seedConversations, type Template, uncloned } from './p8-seed.js';

export const AGENTS = 50;
export const CONVERSATIONS = 10_000;

/** The host's id and name of the visitor of conversation `index` of `Desk.roomIds` (the templates' first, then the seeded ones). */
export const visitorHostId = (index: number) => (index < 2 ? `p8-template-${index}` : `p8-visitor-${index - 1}`);
export const visitorName = (index: number) => (index < 2 ? `Visitor t${index}` : `Visitor ${index - 1}`);

export interface Desk {
  tenant: Tenant;
  agents: BenchUser[];
  roomIds: string[];
  /** Tables holding rows of the templates that the seeding did not copy (should be none). */
  uncloned: string[];
  seedMs: number;
}

/** Starts the two template conversations through the API (an agent online, as during the run); the second is claimed by agent 0. */
async function templates(node: ServerProcess, tenant: Tenant, agents: BenchUser[]): Promise<[Template, Template]> {
  const agent = itemAt(agents, 0);
  const socket: Socket = await connectOne({ url: node.url, app: tenant.id }, 0, { token: () => agent.accessToken });
  try {
    await sleep(200);
    const visitors = await signInUsers(node.url, tenant, 2, 2, { subject: visitorHostId, name: visitorName });
    const start = (v: BenchUser) =>
      api<{ id: string }>(node.url, 'POST', '/v1/support/conversations', tenant.id, startBody(), v.accessToken);
    const [a, b] = [itemAt(visitors, 0), itemAt(visitors, 1)];
    const open = await start(a);
    const claimed = await start(b);
    await api(node.url, 'POST', `/v1/support/conversations/${claimed.id}/assign`, tenant.id, {}, agent.accessToken);
    return [
      { roomId: open.id, visitorId: a.id, agentId: null, agentName: null },
      { roomId: claimed.id, visitorId: b.id, agentId: agent.id, agentName: agent.session.user.name ?? '' },
    ];
  } finally {
    socket.close();
  }
}

/** The tenant, its agents and the conversations; the node that made the templates is stopped before the rows are written. */
export async function prepareDesk(ctx: BenchContext, db: pg.Pool): Promise<Desk> {
  const node = await startConfab(ctx.env, 'p8-confab-setup');
  let tenant: Tenant;
  let agents: BenchUser[];
  let made: [Template, Template];
  try {
    tenant = await createTenant(ctx.env);
    agents = await signInUsers(node.url, tenant, AGENTS, 16, { role: 'agent', name: (i) => `Agent ${i}` });
    made = await templates(node, tenant, agents);
  } finally {
    await node.stop();
  }
  const started = performance.now();
  const seeded = await seedConversations(db, {
    count: CONVERSATIONS - 2,
    agentIds: agents.map((a) => a.id),
    assignedShare: 0.4,
    unassigned: made[0],
    assigned: made[1],
  });
  return {
    tenant,
    agents,
    roomIds: [made[0].roomId, made[1].roomId, ...seeded],
    uncloned: await uncloned(db, [made[0].roomId, made[1].roomId]),
    seedMs: performance.now() - started,
  };
}
