import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  PageDto,
  RoomDto,
  StartConversationResult,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportLabelDto,
  SupportLabelsEvent,
} from '@confab/protocol';
import { type ChatClient, ChatError, createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, collect, connect, settle, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

let server: TestServer;
let tenant: App;
let other: App;
let agent: AuthSessionDto;
let admin: AuthSessionDto;
let otherAgent: AuthSessionDto;
const sockets: ClientSocket[] = [];
const clients: ChatClient[] = [];

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown, on = server): Promise<ApiResponse<T>> {
  return on.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function socketOf(session: AuthSessionDto, on = server): Promise<ClientSocket> {
  const socket = await connect(on, session);
  sockets.push(socket);
  return socket;
}

async function start(app: App, on = server): Promise<{ visitor: AuthSessionDto; conversation: StartConversationResult }> {
  const visitor = await on.guest(app, 'Vera');
  const res = await api<StartConversationResult>(
    visitor,
    'POST',
    '/v1/support/conversations',
    { text: 'Help!', clientId: randomUUID() },
    on,
  );
  expectStatus(res, 201);
  return { visitor, conversation: res.body };
}

async function createLabel(session: AuthSessionDto, name: string, colour = 'blue', on = server): Promise<SupportLabelDto> {
  const res = await api<SupportLabelDto>(session, 'POST', '/v1/support/labels', { name, colour }, on);
  expectStatus(res, 201);
  return res.body;
}

const names = (c: Pick<SupportConversationDto, 'labels'>) => c.labels.map((l) => l.name);

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
  other = await server.createTenant();
  agent = await server.member(tenant, `agent-${randomUUID()}`, { role: 'agent', name: 'Ana' });
  admin = await server.member(tenant, `admin-${randomUUID()}`, { role: 'admin', name: 'Adi' });
  otherAgent = await server.member(other, `agent-${randomUUID()}`, { role: 'agent', name: 'Olga' });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
  await server?.close();
});

describe('support labels', () => {
  it('creates, lists by name, renames, recolours and deletes labels of the app', async () => {
    const zebra = await createLabel(agent, 'Zebra', 'green');
    const billing = await createLabel(admin, '  billing ', 'purple');
    expect(billing).toMatchObject({ name: 'billing', colour: 'purple' });
    expect(Date.parse(billing.createdAt)).not.toBeNaN();

    const listed = await api<PageDto<SupportLabelDto>>(agent, 'GET', '/v1/support/labels');
    expectStatus(listed, 200);
    expect(listed.body.hasMore).toBe(false);
    const mine = listed.body.items.filter((l) => [zebra.id, billing.id].includes(l.id));
    expect(mine.map((l) => l.name)).toEqual(['billing', 'Zebra']);

    const renamed = await api<SupportLabelDto>(agent, 'PATCH', `/v1/support/labels/${billing.id}`, { name: 'Billing' });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ id: billing.id, name: 'Billing', colour: 'purple' });
    const recoloured = await api<SupportLabelDto>(agent, 'PATCH', `/v1/support/labels/${billing.id}`, { colour: 'red' });
    expect(recoloured.body).toMatchObject({ name: 'Billing', colour: 'red' });

    expectStatus(await api(agent, 'DELETE', `/v1/support/labels/${zebra.id}`), 204);
    expectError(await api(agent, 'DELETE', `/v1/support/labels/${zebra.id}`), 404, 'not_found');
    const after = await api<PageDto<SupportLabelDto>>(agent, 'GET', '/v1/support/labels');
    expect(after.body.items.map((l) => l.id)).not.toContain(zebra.id);
  });

  it('refuses bad names and colours, and a name the app already has in any case', async () => {
    const invalid = [
      { name: '', colour: 'blue' },
      { name: 'x'.repeat(41), colour: 'blue' },
      { name: 'Fine', colour: 'chartreuse' },
      { name: 'Fine', colour: '#ff0000' },
      { name: 'No colour' },
    ];
    for (const body of invalid) expectError(await api(agent, 'POST', '/v1/support/labels', body), 422, 'validation_failed');
    const bad = await api(agent, 'POST', '/v1/support/labels', { name: 'Fine', colour: 'chartreuse' });
    expect(replyError(bad.body)?.message).toContain('grey, red');
    expectError(await api(agent, 'PATCH', `/v1/support/labels/${randomUUID()}`, {}), 422, 'validation_failed');
    expectStatus(await api(agent, 'POST', '/v1/support/labels', { name: 'x'.repeat(40), colour: 'grey' }), 201);

    const vip = await createLabel(agent, 'VIP', 'yellow');
    expectError(await api(agent, 'POST', '/v1/support/labels', { name: 'vip', colour: 'red' }), 409, 'conflict');
    const refund = await createLabel(agent, 'Refund', 'orange');
    expectError(await api(agent, 'PATCH', `/v1/support/labels/${refund.id}`, { name: 'Vip' }), 409, 'conflict');
    // Another app may use the same name.
    expectStatus(await api(otherAgent, 'POST', '/v1/support/labels', { name: 'VIP', colour: 'red' }), 201);
    expect(vip.name).toBe('VIP');
  });

  it('puts a label on a conversation and takes it off, idempotently', async () => {
    const { conversation } = await start(tenant);
    const urgent = await createLabel(agent, 'Urgent', 'red');
    const bug = await createLabel(agent, 'Bug', 'orange');
    const path = (labelId: string) => `/v1/support/conversations/${conversation.id}/labels/${labelId}`;

    const added = await api<SupportConversationDto>(agent, 'PUT', path(urgent.id));
    expectStatus(added, 200);
    expect(added.body.labels).toEqual([{ id: urgent.id, name: 'Urgent', colour: 'red' }]);
    expectStatus(await api(agent, 'PUT', path(urgent.id)), 200);
    const both = await api<SupportConversationDto>(admin, 'PUT', path(bug.id));
    expect(names(both.body)).toEqual(['Bug', 'Urgent']);
    const fetched = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${conversation.id}`);
    expect(names(fetched.body)).toEqual(['Bug', 'Urgent']);

    const removed = await api<SupportConversationDto>(agent, 'DELETE', path(bug.id));
    expectStatus(removed, 200);
    expect(names(removed.body)).toEqual(['Urgent']);
    const again = await api<SupportConversationDto>(agent, 'DELETE', path(bug.id));
    expectStatus(again, 200);
    expect(names(again.body)).toEqual(['Urgent']);

    // A rename shows on the conversation; deleting the label takes it off.
    await api(agent, 'PATCH', `/v1/support/labels/${urgent.id}`, { name: 'Very urgent' });
    const renamed = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${conversation.id}`);
    expect(names(renamed.body)).toEqual(['Very urgent']);
    await api(agent, 'DELETE', `/v1/support/labels/${urgent.id}`);
    const gone = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${conversation.id}`);
    expect(gone.body.labels).toEqual([]);
  });

  it('filters the inbox by label, in the cached first page too, with every item carrying its labels', async () => {
    const a = await start(tenant);
    const b = await start(tenant);
    const c = await start(tenant);
    const refunds = await createLabel(agent, 'Refunds', 'teal');
    const inbox = async (label: string) => {
      const res = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', `/v1/support/conversations?label=${label}`);
      expectStatus(res, 200);
      return res.body.items;
    };
    // Read (and cached) before anything carries the label.
    expect(await inbox(refunds.id)).toEqual([]);
    await api(agent, 'PUT', `/v1/support/conversations/${a.conversation.id}/labels/${refunds.id}`);
    await api(agent, 'PUT', `/v1/support/conversations/${c.conversation.id}/labels/${refunds.id}`);
    // The unfiltered first page, read (and cached) right before the filtered one, is not what the filter answers.
    const all = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', '/v1/support/conversations');
    const byId = new Map(all.body.items.map((i) => [i.id, i]));
    expect(names(byId.get(a.conversation.id)!)).toEqual(['Refunds']);
    expect(byId.get(b.conversation.id)!.labels).toEqual([]);
    const filtered = await inbox(refunds.id);
    expect(filtered.map((i) => i.id).sort()).toEqual([a.conversation.id, c.conversation.id].sort());
    expect(filtered.every((i) => names(i).includes('Refunds'))).toBe(true);

    await api(agent, 'DELETE', `/v1/support/conversations/${c.conversation.id}/labels/${refunds.id}`);
    expect((await inbox(refunds.id)).map((i) => i.id)).toEqual([a.conversation.id]);
    // A label of another app filters to nothing; a malformed one is refused.
    const foreign = await createLabel(otherAgent, 'Foreign', 'grey');
    expect(await inbox(foreign.id)).toEqual([]);
    expectError(await api(agent, 'GET', '/v1/support/conversations?label=nope'), 422, 'validation_failed');
  });

  it("refuses another app's label or conversation as not found, and leaves them unchanged", async () => {
    const mine = await start(tenant);
    const theirs = await start(other);
    const myLabel = await createLabel(agent, 'Mine', 'green');
    const theirLabel = await createLabel(otherAgent, 'Theirs', 'green');

    expectError(await api(agent, 'PUT', `/v1/support/conversations/${mine.conversation.id}/labels/${theirLabel.id}`), 404, 'not_found');
    expectError(await api(agent, 'PUT', `/v1/support/conversations/${theirs.conversation.id}/labels/${myLabel.id}`), 404, 'not_found');
    expectError(await api(agent, 'PUT', `/v1/support/conversations/${theirs.conversation.id}/labels/${theirLabel.id}`), 404, 'not_found');
    expectError(
      await api(agent, 'DELETE', `/v1/support/conversations/${theirs.conversation.id}/labels/${theirLabel.id}`),
      404,
      'not_found',
    );
    expectError(await api(agent, 'PATCH', `/v1/support/labels/${theirLabel.id}`, { name: 'Hijacked' }), 404, 'not_found');
    expectError(await api(agent, 'DELETE', `/v1/support/labels/${theirLabel.id}`), 404, 'not_found');
    expectError(await api(agent, 'PUT', `/v1/support/conversations/${mine.conversation.id}/labels/not-a-uuid`), 404, 'not_found');

    // A room of the app that is not a support conversation is not one either.
    const group = await api<RoomDto>(agent, 'POST', '/v1/rooms', { name: 'Team', kind: 'group' });
    expectError(await api(agent, 'PUT', `/v1/support/conversations/${group.body.id}/labels/${myLabel.id}`), 404, 'not_found');

    const list = await api<PageDto<SupportLabelDto>>(agent, 'GET', '/v1/support/labels');
    expect(list.body.items.map((l) => l.id)).not.toContain(theirLabel.id);
    const theirList = await api<PageDto<SupportLabelDto>>(otherAgent, 'GET', '/v1/support/labels');
    expect(theirList.body.items.find((l) => l.id === theirLabel.id)?.name).toBe('Theirs');
    const theirConversation = await api<SupportConversationDto>(otherAgent, 'GET', `/v1/support/conversations/${theirs.conversation.id}`);
    expect(theirConversation.body.labels).toEqual([]);
  });

  it('forbids visitors and plain users to list, create or apply labels, and never shows them labels', async () => {
    const { visitor, conversation } = await start(tenant);
    const member = await server.member(tenant, `user-${randomUUID()}`, { name: 'Uma' });
    const label = await createLabel(agent, 'Angry', 'red');
    const visitorSocket = await socketOf(visitor);
    const updates = collect<RoomDto & { labels?: unknown }>(visitorSocket, 'room:updated');
    for (const who of [visitor, member]) {
      expectError(await api(who, 'GET', '/v1/support/labels'), 403, 'forbidden');
      expectError(await api(who, 'POST', '/v1/support/labels', { name: 'Mine', colour: 'blue' }), 403, 'forbidden');
      expectError(await api(who, 'PATCH', `/v1/support/labels/${label.id}`, { name: 'Calm' }), 403, 'forbidden');
      expectError(await api(who, 'DELETE', `/v1/support/labels/${label.id}`), 403, 'forbidden');
      expectError(await api(who, 'PUT', `/v1/support/conversations/${conversation.id}/labels/${label.id}`), 403, 'forbidden');
      expectError(await api(who, 'DELETE', `/v1/support/conversations/${conversation.id}/labels/${label.id}`), 403, 'forbidden');
    }
    expectError(await api(visitor, 'GET', `/v1/support/conversations?label=${label.id}`), 403, 'forbidden');

    await api(agent, 'PUT', `/v1/support/conversations/${conversation.id}/labels/${label.id}`);
    // The visitor's own view of the conversation, and what they hear when it changes, have no labels.
    const seen = await api<SupportConversationDto>(visitor, 'GET', `/v1/support/conversations/${conversation.id}`);
    expectStatus(seen, 200);
    expect(seen.body.labels).toEqual([]);
    await api(agent, 'POST', `/v1/support/conversations/${conversation.id}/assign`, {});
    await until('the visitor hears the assignment', () => updates.length > 0);
    expect(updates.every((u) => u.labels === undefined)).toBe(true);
  });

  it("announces label changes to the app's agents only: conversations as support:conversation, the list as support:labels", async () => {
    const { conversation } = await start(tenant);
    const agentSocket = await socketOf(agent);
    const outsider = await socketOf(otherAgent);
    const outsiderHeard = [...['support:conversation', 'support:labels'].map((e) => collect(outsider, e))];

    const listed = waitFor<SupportLabelsEvent>(agentSocket, 'support:labels', (e) => e.labels.some((l) => l.name === 'Live'));
    const live = await createLabel(admin, 'Live', 'blue');
    expect((await listed).labels.find((l) => l.id === live.id)).toMatchObject({ name: 'Live', colour: 'blue' });

    const added = waitFor<SupportConversationDto>(
      agentSocket,
      'support:conversation',
      (c) => c.id === conversation.id && c.labels.length > 0,
    );
    await api(admin, 'PUT', `/v1/support/conversations/${conversation.id}/labels/${live.id}`);
    expect((await added).labels).toEqual([{ id: live.id, name: 'Live', colour: 'blue' }]);

    // Idempotent: a second add announces nothing.
    const heard = collect<SupportConversationDto>(agentSocket, 'support:conversation');
    await api(admin, 'PUT', `/v1/support/conversations/${conversation.id}/labels/${live.id}`);

    const renamed = waitFor<SupportLabelsEvent>(agentSocket, 'support:labels', (e) => e.labels.some((l) => l.name === 'Live now'));
    await api(admin, 'PATCH', `/v1/support/labels/${live.id}`, { name: 'Live now' });
    await renamed;
    const deleted = waitFor<SupportLabelsEvent>(agentSocket, 'support:labels', (e) => !e.labels.some((l) => l.id === live.id));
    await api(admin, 'DELETE', `/v1/support/labels/${live.id}`);
    await deleted;
    expect(heard.filter((c) => c.id === conversation.id)).toEqual([]);

    const removed = await start(tenant);
    const gone = await createLabel(admin, 'Gone', 'grey');
    await api(admin, 'PUT', `/v1/support/conversations/${removed.conversation.id}/labels/${gone.id}`);
    const off = waitFor<SupportConversationDto>(
      agentSocket,
      'support:conversation',
      (c) => c.id === removed.conversation.id && !c.labels.length,
    );
    await api(admin, 'DELETE', `/v1/support/conversations/${removed.conversation.id}/labels/${gone.id}`);
    await off;
    await settle(200);
    expect(outsiderHeard.map((h) => h.length)).toEqual([0, 0]);
  });

  it('is reachable from the SDK: labels CRUD, addLabel, removeLabel and inbox({ label })', async () => {
    const session = await server.member(tenant, `sdk-agent-${randomUUID()}`, { role: 'agent', name: 'Sid' });
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    clients.push(client);
    await client.connectSession(session);
    const { conversation } = await start(tenant);

    const label = await client.support.labels.create({ name: 'SDK', colour: 'teal' });
    expect((await client.support.labels.list()).items.map((l) => l.id)).toContain(label.id);
    expect((await client.support.labels.update(label.id, { colour: 'purple' })).colour).toBe('purple');
    expect((await client.support.addLabel(conversation.id, label.id)).labels.map((l) => l.id)).toEqual([label.id]);
    expect((await client.support.inbox({ label: label.id })).items.map((i) => i.id)).toEqual([conversation.id]);
    expect((await client.support.removeLabel(conversation.id, label.id)).labels).toEqual([]);
    await client.support.labels.remove(label.id);
    const missing = await client.support.labels.remove(label.id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ChatError);
    expect((missing as ChatError).code).toBe('not_found');
  });
});

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(clustered)('support labels across two nodes', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let app: App;

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    await until('both adapters subscribed', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
    app = await nodeA.createTenant();
  });

  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it("reaches an agent's socket on node B when a label is added, renamed or removed on node A", async () => {
    const agentA = await nodeA.member(app, `agent-a-${randomUUID()}`, { role: 'agent', name: 'Ada' });
    const agentB = await nodeB.member(app, `agent-b-${randomUUID()}`, { role: 'agent', name: 'Bia' });
    const socketB = await socketOf(agentB, nodeB);
    const { conversation } = await start(app, nodeA);

    const listed = waitFor<SupportLabelsEvent>(socketB, 'support:labels', (e) => e.labels.some((l) => l.name === 'Cluster'));
    const label = await createLabel(agentA, 'Cluster', 'green', nodeA);
    await listed;

    const added = waitFor<SupportConversationDto>(
      socketB,
      'support:conversation',
      (c) => c.id === conversation.id && c.labels.length === 1,
    );
    expectStatus(await api(agentA, 'PUT', `/v1/support/conversations/${conversation.id}/labels/${label.id}`, undefined, nodeA), 200);
    expect((await added).labels[0]).toEqual({ id: label.id, name: 'Cluster', colour: 'green' });
    // Node B's inbox, filtered by the label, shows it at once (its cached page was dropped).
    const filtered = await api<PageDto<SupportInboxItemDto>>(
      agentB,
      'GET',
      `/v1/support/conversations?label=${label.id}`,
      undefined,
      nodeB,
    );
    expect(filtered.body.items.map((i) => i.id)).toEqual([conversation.id]);

    const renamed = waitFor<SupportLabelsEvent>(socketB, 'support:labels', (e) => e.labels.some((l) => l.name === 'Cluster 2'));
    await api(agentA, 'PATCH', `/v1/support/labels/${label.id}`, { name: 'Cluster 2' }, nodeA);
    await renamed;
    const inboxB = await api<PageDto<SupportInboxItemDto>>(agentB, 'GET', '/v1/support/conversations', undefined, nodeB);
    expect(names(inboxB.body.items.find((i) => i.id === conversation.id)!)).toEqual(['Cluster 2']);

    const removed = waitFor<SupportConversationDto>(socketB, 'support:conversation', (c) => c.id === conversation.id && !c.labels.length);
    await api(agentA, 'DELETE', `/v1/support/conversations/${conversation.id}/labels/${label.id}`, undefined, nodeA);
    await removed;
    const empty = await api<PageDto<SupportInboxItemDto>>(agentB, 'GET', `/v1/support/conversations?label=${label.id}`, undefined, nodeB);
    expect(empty.body.items).toEqual([]);
  });
});
