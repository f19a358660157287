import { randomUUID } from 'node:crypto';

import type { AssignmentDto, AuthSessionDto, StartConversationResult, SupportConversationDto, SystemEventDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, collect, connect, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const sockets: ClientSocket[] = [];

function api<T = unknown>(on: TestServer, session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return on.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

/** A staff member of `app` with a connected socket (online), or none (`offline`). */
async function agent(
  on: TestServer,
  app: App,
  name: string,
  { role = 'agent', online = true }: { role?: string; online?: boolean } = {},
): Promise<{ session: AuthSessionDto; socket: ClientSocket | null }> {
  const session = await on.member(app, `${name.toLowerCase()}-${randomUUID()}`, { role, name });
  let socket: ClientSocket | null = null;
  if (online) {
    socket = await connect(on, session);
    sockets.push(socket);
  }
  return { session, socket };
}

async function setAssignment(on: TestServer, admin: AuthSessionDto, settings: Record<string, unknown>): Promise<AssignmentDto> {
  const res = await api<AssignmentDto>(on, admin, 'PUT', '/v1/support/assignment', settings);
  expectStatus(res, 200);
  return res.body;
}

/** `count` visitors start a conversation each, all at once, spread over `nodes` in turn. */
async function startMany(nodes: TestServer[], app: App, count: number): Promise<string[]> {
  const visitors = await Promise.all(Array.from({ length: count }, (_, i) => nodes[i % nodes.length]!.guest(app, `Visitor ${i}`)));
  const started = await Promise.all(
    visitors.map((v, i) =>
      api<StartConversationResult>(nodes[i % nodes.length]!, v, 'POST', '/v1/support/conversations', {
        text: `Hi ${i}`,
        clientId: randomUUID(),
      }),
    ),
  );
  for (const res of started) expectStatus(res, 201);
  return started.map((res) => res.body.id);
}

interface Row {
  id: string;
  assigneeId: string | null;
  status: string;
}

async function rooms(on: TestServer, ids: string[]): Promise<Row[]> {
  return on.db('rooms').whereIn('id', ids).select('id', 'assignee_id', 'status');
}

/** System messages of these rooms with the given event, as stored. */
async function systemMessages(
  on: TestServer,
  ids: string[],
  event: string,
): Promise<{ roomId: string; text: string; meta: SystemEventDto }[]> {
  return on
    .db('messages')
    .whereIn('room_id', ids)
    .where('type', 'system')
    .whereRaw("meta->>'event' = ?", [event])
    .select('room_id', 'text', 'meta');
}

function countBy(values: (string | null)[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Every conversation has exactly one automatic `assigned` message, naming the agent it went to. */
async function expectAssignedOnce(on: TestServer, ids: string[], rows: Row[]): Promise<void> {
  const assigned = await systemMessages(on, ids, 'assigned');
  expect(assigned).toHaveLength(ids.length);
  expect(new Set(assigned.map((m) => m.roomId)).size).toBe(ids.length);
  const byRoom = new Map(rows.map((r) => [r.id, r.assigneeId]));
  for (const m of assigned) {
    expect(m.meta.actorId).toBeNull();
    expect(m.meta.agentId).toBe(byRoom.get(m.roomId));
    expect(m.text).toMatch(/^Assigned to .+ automatically$/);
  }
}

afterAll(() => {
  for (const socket of sockets) socket.close();
});

describe('auto-assignment on one node', () => {
  let server: TestServer;
  let app: App;
  let other: App;
  let admin: AuthSessionDto;

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createTenant();
    other = await server.createTenant();
    admin = (await agent(server, app, 'Adi', { role: 'admin', online: false })).session;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('admins set it, agents read it and get forbidden when they change it, bad input is validation_failed (422)', async () => {
    const { session: ana } = await agent(server, app, 'Ana', { online: false });
    const visitor = await server.guest(app);
    expect((await api<AssignmentDto>(server, ana, 'GET', '/v1/support/assignment')).body).toEqual({
      mode: 'off',
      limit: 10,
      requeueAfterMinutes: null,
    });
    expect(await setAssignment(server, admin, { mode: 'least_busy', limit: 3, requeueAfterMinutes: 20 })).toEqual({
      mode: 'least_busy',
      limit: 3,
      requeueAfterMinutes: 20,
    });
    expect((await api<AssignmentDto>(server, ana, 'GET', '/v1/support/assignment')).body.limit).toBe(3);
    expectError(await api(server, ana, 'PUT', '/v1/support/assignment', { mode: 'off' }), 403, 'forbidden');
    expectError(await api(server, visitor, 'GET', '/v1/support/assignment'), 403, 'forbidden');
    for (const bad of [
      {},
      { mode: 'random' },
      { mode: 'least_busy', limit: 0 },
      { mode: 'least_busy', limit: '5' },
      { mode: 'off', requeueAfterMinutes: 0.5 },
    ]) {
      expectError(await api(server, admin, 'PUT', '/v1/support/assignment', bad), 422, 'validation_failed');
    }
    // Nothing of that reached the app's settings, nor another app's.
    expect((await api<AssignmentDto>(server, admin, 'GET', '/v1/support/assignment')).body.mode).toBe('least_busy');
    const olga = (await agent(server, other, 'Olga', { online: false })).session;
    expect((await api<AssignmentDto>(server, olga, 'GET', '/v1/support/assignment')).body.mode).toBe('off');
    expect((await server.app.services.apps.get(other.id)).settings.assignment).toBeUndefined();
  });

  it('round-robin gives 30 concurrent conversations to 3 online agents, 10 each, never to an away or offline one', async () => {
    const tenant = await server.createTenant();
    const boss = (await agent(server, tenant, 'Boss', { role: 'admin', online: false })).session;
    const online = await Promise.all(['Ana', 'Bia', 'Cy'].map((n) => agent(server, tenant, n)));
    const away = await agent(server, tenant, 'Dee');
    expectStatus(await api(server, away.session, 'PUT', '/v1/support/availability', { availability: 'away' }), 200);
    await agent(server, tenant, 'Eve', { online: false });
    await setAssignment(server, boss, { mode: 'round_robin' });

    const ids = await startMany([server], tenant, 30);
    const rows = await until(
      'all 30 assigned',
      async () => {
        const found = await rooms(server, ids);
        return found.every((r) => r.assigneeId) && found;
      },
      20_000,
    );
    const counts = countBy(rows.map((r) => r.assigneeId));
    expect([...counts.keys()].sort()).toEqual(online.map((a) => a.session.user.id).sort());
    expect([...counts.values()]).toEqual([10, 10, 10]);
    await expectAssignedOnce(server, ids, rows);
  });
});

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(clustered)('auto-assignment across two nodes', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    await until('both adapters subscribed', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
  });

  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it('round-robin: 200 conversations started at once on two nodes, each assigned once, 50 to each of 4 online agents', async () => {
    const app = await nodeA.createTenant();
    const admin = (await agent(nodeA, app, 'Adi', { role: 'admin', online: false })).session;
    const online = await Promise.all(['Ana', 'Bia', 'Cy', 'Dan'].map((n, i) => agent(i % 2 ? nodeB : nodeA, app, n)));
    const away = await agent(nodeB, app, 'Dee');
    expectStatus(await api(nodeB, away.session, 'PUT', '/v1/support/availability', { availability: 'away' }), 200);
    const offline = await agent(nodeA, app, 'Eve', { online: false });
    await setAssignment(nodeB, admin, { mode: 'round_robin' });
    const heard = collect<SupportConversationDto>(online[1]!.socket!, 'support:conversation');

    const ids = await startMany([nodeA, nodeB], app, 200);
    const rows = await until(
      'all 200 assigned',
      async () => {
        const found = await rooms(nodeA, ids);
        return found.every((r) => r.assigneeId) && found;
      },
      60_000,
    );
    await expectAssignedOnce(nodeA, ids, rows);
    const counts = countBy(rows.map((r) => r.assigneeId));
    const agentIds = online.map((a) => a.session.user.id);
    expect([...counts.keys()].sort()).toEqual([...agentIds].sort());
    expect(counts.has(away.session.user.id) || counts.has(offline.session.user.id)).toBe(false);
    // Round-robin under one lock for both nodes: an exact spread (the bound allows one of slack).
    const spread = [...counts.values()];
    expect(Math.max(...spread) - Math.min(...spread)).toBeLessThanOrEqual(1);
    expect(spread.reduce((a, b) => a + b, 0)).toBe(200);
    // Announced live: an agent on node B heard every conversation with its agent.
    await until(
      'node B agent heard every assignment',
      () => {
        const assigned = new Set(heard.filter((c) => c.assignee).map((c) => c.id));
        return ids.every((id) => assigned.has(id));
      },
      20_000,
    );
  });

  it('least-busy: nobody above the limit, the rest wait until a resolve frees room or an agent comes online', async () => {
    const app = await nodeA.createTenant();
    const admin = (await agent(nodeA, app, 'Adi', { role: 'admin', online: false })).session;
    const online = await Promise.all(['Ana', 'Bia', 'Cy'].map((n, i) => agent(i % 2 ? nodeB : nodeA, app, n)));
    await setAssignment(nodeA, admin, { mode: 'least_busy', limit: 2 });

    const ids = await startMany([nodeA, nodeB], app, 8);
    let rows = await until(
      '6 assigned',
      async () => {
        const found = await rooms(nodeA, ids);
        return found.filter((r) => r.assigneeId).length === 6 && found;
      },
      20_000,
    );
    expect([...countBy(rows.filter((r) => r.assigneeId).map((r) => r.assigneeId)).values()]).toEqual([2, 2, 2]);
    const queued = rows.filter((r) => !r.assigneeId).map((r) => r.id);
    expect(queued).toHaveLength(2);

    // Ana resolves one of hers on node B: the oldest queued conversation goes to her.
    const ana = online[0]!;
    const hers = rows.find((r) => r.assigneeId === ana.session.user.id)!;
    expectStatus(await api(nodeB, ana.session, 'POST', `/v1/support/conversations/${hers.id}/resolve`), 200);
    rows = await until(
      'a queued one assigned after the resolve',
      async () => {
        const found = await rooms(nodeA, ids);
        return found.filter((r) => r.assigneeId && r.status === 'open').length === 6 && found;
      },
      10_000,
    );
    expect(rows.filter((r) => r.assigneeId === ana.session.user.id && r.status === 'open')).toHaveLength(2);
    const still = rows.filter((r) => !r.assigneeId);
    expect(still).toHaveLength(1);

    // A fourth agent connects on node B: the last queued conversation is theirs.
    const dan = await agent(nodeB, app, 'Dan');
    const last = await until(
      'the last queued one assigned',
      async () => {
        const [row] = await rooms(nodeA, [still[0]!.id]);
        return row?.assigneeId && row;
      },
      10_000,
    );
    expect(last.assigneeId).toBe(dan.session.user.id);
    const load = countBy((await rooms(nodeA, ids)).filter((r) => r.status !== 'resolved').map((r) => r.assigneeId));
    for (const n of load.values()) expect(n).toBeLessThanOrEqual(2);
    await expectAssignedOnce(nodeA, ids, await rooms(nodeA, ids));
  });

  it('requeue: an agent away longer than the set time loses open conversations to the queue, reassigned and announced', async () => {
    const app = await nodeA.createTenant();
    const admin = (await agent(nodeA, app, 'Adi', { role: 'admin', online: false })).session;
    const ana = await agent(nodeA, app, 'Ana');
    const bia = await agent(nodeB, app, 'Bia');
    await setAssignment(nodeA, admin, { mode: 'round_robin', requeueAfterMinutes: 1 });
    const ids = await startMany([nodeA, nodeB], app, 4);
    const rows = await until(
      '4 assigned',
      async () => {
        const found = await rooms(nodeA, ids);
        return found.every((r) => r.assigneeId) && found;
      },
      10_000,
    );
    const anas = rows.filter((r) => r.assigneeId === ana.session.user.id).map((r) => r.id);
    expect(anas).toHaveLength(2);

    // Ana goes away (on node B): when first seen away is recorded; the sweep leaves her alone before the time.
    expectStatus(await api(nodeB, ana.session, 'PUT', '/v1/support/availability', { availability: 'away' }), 200);
    await until(
      'Ana seen away',
      async () => (await nodeA.db('users').where({ id: ana.session.user.id }).first('unavailable_since'))?.unavailableSince,
    );
    await nodeA.app.services.assignment.sweep();
    expect((await rooms(nodeA, anas)).every((r) => r.assigneeId === ana.session.user.id)).toBe(true);

    // Away for two minutes (the clock moved in the database, not in the test): both go to Bia.
    await nodeA
      .db('users')
      .where({ id: ana.session.user.id })
      .update({ unavailableSince: nodeA.db.raw("now() - interval '2 minutes'") });
    const heard = anas.map((id) =>
      waitFor<SupportConversationDto>(bia.socket!, 'support:conversation', (c) => c.id === id && c.assignee?.id === bia.session.user.id),
    );
    await nodeB.app.services.assignment.sweep();
    await Promise.all(heard);
    expect((await rooms(nodeA, anas)).map((r) => r.assigneeId)).toEqual([bia.session.user.id, bia.session.user.id]);
    const requeued = await systemMessages(nodeA, anas, 'unassigned');
    expect(requeued).toHaveLength(2);
    for (const m of requeued) {
      expect(m.meta).toEqual({ event: 'unassigned', actorId: null, agentId: ana.session.user.id });
      expect(m.text).toBe('Returned to the queue (Ana was away)');
    }
    // Back online: she is no longer "away since", and gets the next new conversation in turn.
    expectStatus(await api(nodeA, ana.session, 'PUT', '/v1/support/availability', { availability: 'online' }), 200);
    await until(
      'Ana seen back',
      async () => !(await nodeA.db('users').where({ id: ana.session.user.id }).first('unavailable_since'))?.unavailableSince,
    );
    const [next] = await startMany([nodeB], app, 1);
    const row = await until('the new one assigned', async () => (await rooms(nodeA, [next!]))[0]?.assigneeId);
    expect(row).toBe(ana.session.user.id);
  });
});
