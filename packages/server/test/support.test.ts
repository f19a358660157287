import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  CannedResponseDto,
  MemberDto,
  MessageDto,
  PageDto,
  RoomDto,
  RoomJoinResult,
  RoomListItemDto,
  StartConversationResult,
  SupportAvailabilityDto,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportSettingsDto,
  VisitorInfo,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { call as socketCall, type ClientSocket, connect, waitFor } from './helpers/sockets.js';

const ADMIN_TOKEN = 'x'.repeat(32);

let server: TestServer;
const sockets: ClientSocket[] = [];

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function socketOf(session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(server, session);
  sockets.push(socket);
  return socket;
}

const visitorInfo: VisitorInfo = {
  pageUrl: 'https://shop.example.com/pricing',
  referrer: 'https://www.google.com/',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Test',
  locale: 'pt-PT',
};

async function start(visitor: AuthSessionDto, text = 'Hello, I need help', visitor_?: VisitorInfo): Promise<StartConversationResult> {
  const res = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', {
    text,
    clientId: randomUUID(),
    ...(visitor_ ? { visitor: visitor_ } : {}),
  });
  expectStatus(res, 201);
  return res.body;
}

async function send(session: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await api<MessageDto>(session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });
  expectStatus(res, 201);
  return res.body;
}

async function history(session: AuthSessionDto, roomId: string): Promise<MessageDto[]> {
  const res = await api<PageDto<MessageDto>>(session, 'GET', `/v1/rooms/${roomId}/messages?limit=100`);
  expectStatus(res, 200);
  return res.body.items;
}

async function inbox(agent: AuthSessionDto, query = ''): Promise<SupportInboxItemDto[]> {
  const res = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', `/v1/support/conversations${query}`);
  expectStatus(res, 200);
  return res.body.items;
}

async function conversation(session: AuthSessionDto, id: string): Promise<SupportConversationDto> {
  const res = await api<SupportConversationDto>(session, 'GET', `/v1/support/conversations/${id}`);
  expectStatus(res, 200);
  return res.body;
}

const systemOf = (messages: MessageDto[]) => messages.filter((m) => m.type === 'system');
const summary = (messages: MessageDto[]) => messages.map((m) => [m.type, m.system?.event ?? null, m.senderId, m.text]);

function admin(method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return server.request(method, path, { body, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

async function settings(tenant: App): Promise<SupportSettingsDto> {
  const res = await server.request<SupportSettingsDto>('GET', '/v1/support/settings', { app: tenant.id });
  expectStatus(res, 200);
  return res.body;
}

/** Business hours on every day that leave out the current time (UTC). */
function hoursExcludingNow() {
  const range = new Date().getUTCHours() < 12 ? { open: '15:00', close: '16:00' } : { open: '03:00', close: '04:00' };
  const days = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [range]]));
  return { timezone: 'UTC', days };
}

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN } });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close();
});

describe('support conversations', () => {
  it('runs the whole flow: start, agent told and inbox unread, claim, reply, resolve, visitor reply reopens, filters follow', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
    const visitor = await server.guest(tenant, 'Vera');
    const agentSocket = await socketOf(agent);

    // The agent's socket hears the new conversation.
    const notified = waitFor<SupportConversationDto>(agentSocket, 'support:conversation');
    const started = await start(visitor, 'My order never arrived', visitorInfo);
    expect(started.kind).toBe('support');
    expect(started.support).toMatchObject({ status: 'open', assigneeId: null, resolvedAt: null, visitor: visitorInfo });
    expect(started.visitor?.id).toBe(visitor.user.id);
    expect(started.assignee).toBeNull();
    expect(started.message).toMatchObject({
      roomId: started.id,
      type: 'text',
      text: 'My order never arrived',
      senderId: visitor.user.id,
      seq: 1,
    });

    const pushed = await notified;
    expect(pushed.id).toBe(started.id);
    expect(pushed.support.status).toBe('open');
    expect(pushed.support.visitor).toEqual(visitorInfo);
    expect(pushed.visitor).toMatchObject({ id: visitor.user.id, name: 'Vera' });
    expect(pushed.lastMessage).toMatchObject({ id: started.message!.id, text: 'My order never arrived', senderId: visitor.user.id });

    // The agent (not a member yet) sees it, unread, among the open unassigned ones.
    const unassigned = await inbox(agent, '?status=open&assignee=none');
    expect(unassigned.map((c) => c.id)).toEqual([started.id]);
    expect(itemAt(unassigned, 0).unreadCount).toBe(1);
    expect(itemAt(unassigned, 0).visitor?.id).toBe(visitor.user.id);
    expect(itemAt(unassigned, 0).lastMessage?.text).toBe('My order never arrived');
    expect(await inbox(agent, '?assignee=me')).toEqual([]);

    // The visitor watches the conversation.
    const visitorSocket = await socketOf(visitor);
    const joined = await socketCall<RoomJoinResult>(visitorSocket, 'room:join', { roomId: started.id });
    expect(joined.messages.map((m) => m.text)).toEqual(['My order never arrived']);

    // Claim: the visitor hears the new assignee and "Ana joined".
    const updated = waitFor<RoomDto>(visitorSocket, 'room:updated', (r) => r.id === started.id && r.support?.assigneeId === agent.user.id);
    const joinedNote = waitFor<MessageDto>(visitorSocket, 'message:created', (m) => m.roomId === started.id && m.type === 'system');
    const agentHeardClaim = waitFor<SupportConversationDto>(
      agentSocket,
      'support:conversation',
      (c) => c.id === started.id && c.support.assigneeId === agent.user.id,
    );
    const claim = await api<SupportConversationDto>(agent, 'POST', `/v1/support/conversations/${started.id}/assign`, {});
    expectStatus(claim, 200);
    expect(claim.body.support.assigneeId).toBe(agent.user.id);
    expect(claim.body.assignee).toMatchObject({ id: agent.user.id, name: 'Ana' });
    expect((await updated).support?.assigneeId).toBe(agent.user.id);
    const note = await joinedNote;
    expect(note).toMatchObject({ type: 'system', text: 'Ana joined', senderId: agent.user.id, seq: 2 });
    expect(note.system).toMatchObject({ event: 'assigned', actorId: agent.user.id, agentId: agent.user.id });
    expect((await agentHeardClaim).assignee?.id).toBe(agent.user.id);

    // The claim made the agent a member, with the agent role.
    const members = await api<PageDto<MemberDto>>(agent, 'GET', `/v1/rooms/${started.id}/members`);
    expectStatus(members, 200);
    expect(members.body.items.find((m) => m.user.id === agent.user.id)?.role).toBe('agent');

    // The agent replies; the visitor hears it.
    const replyHeard = waitFor<MessageDto>(
      visitorSocket,
      'message:created',
      (m) => m.roomId === started.id && m.text === 'Let me check that for you',
    );
    const reply = await send(agent, started.id, 'Let me check that for you');
    expect((await replyHeard).id).toBe(reply.id);

    // Resolve.
    const resolvedHeard = waitFor<RoomDto>(visitorSocket, 'room:updated', (r) => r.id === started.id && r.support?.status === 'resolved');
    const resolved = await api<SupportConversationDto>(agent, 'POST', `/v1/support/conversations/${started.id}/resolve`);
    expectStatus(resolved, 200);
    expect(resolved.body.support.status).toBe('resolved');
    expect(resolved.body.support.resolvedAt).not.toBeNull();
    await resolvedHeard;
    expect(await inbox(agent, '?status=resolved')).toHaveLength(1);

    // The visitor writes again: the conversation reopens, with a note after the visitor's message.
    const reopenedHeard = waitFor<SupportConversationDto>(
      agentSocket,
      'support:conversation',
      (c) => c.id === started.id && c.support.status === 'open',
    );
    const again = await send(visitor, started.id, 'It still has not arrived');
    const reopened = await conversation(visitor, started.id);
    expect(reopened.support.status).toBe('open');
    expect(reopened.support.resolvedAt).toBeNull();
    expect(reopened.support.assigneeId).toBe(agent.user.id);
    expect((await reopenedHeard).support.status).toBe('open');

    const messages = await history(agent, started.id);
    expect(summary(messages)).toEqual([
      ['text', null, visitor.user.id, 'My order never arrived'],
      ['system', 'assigned', agent.user.id, 'Ana joined'],
      ['text', null, agent.user.id, 'Let me check that for you'],
      ['system', 'resolved', agent.user.id, 'Resolved by Ana'],
      ['text', null, visitor.user.id, 'It still has not arrived'],
      ['system', 'reopened', visitor.user.id, expect.any(String)],
    ]);
    expect(itemAt(messages, 5).seq).toBeGreaterThan(again.seq);
    expect(itemAt(messages, 5).system).toMatchObject({ event: 'reopened', actorId: visitor.user.id });
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // Inbox filters follow the changes.
    expect(await inbox(agent, '?status=resolved')).toEqual([]);
    expect(await inbox(agent, '?assignee=none')).toEqual([]);
    const mine = await inbox(agent, '?assignee=me');
    expect(mine.map((c) => c.id)).toEqual([started.id]);
    // Read up to its own reply (seq 3): only the visitor's new text message is unread.
    expect(itemAt(mine, 0).unreadCount).toBe(1);
    expect(itemAt(mine, 0).lastMessage?.system?.event).toBe('reopened');
    expect((await inbox(agent, `?status=open&assignee=${agent.user.id}`)).map((c) => c.id)).toEqual([started.id]);
    expect((await inbox(agent, '?status=open&assignee=me')).map((c) => c.id)).toEqual([started.id]);
  });

  it('keeps the inbox in last-activity order, pages it, and lists every conversation of a visitor in GET /v1/rooms', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent', { role: 'agent', name: 'Ana' });
    const visitor = await server.guest(tenant, 'Vera');
    const other = await server.guest(tenant, 'Otto');
    const first = await start(visitor, 'first');
    const second = await start(other, 'second');
    const third = await start(visitor, 'third');

    expect((await inbox(agent)).map((c) => c.id)).toEqual([third.id, second.id, first.id]);
    await send(visitor, first.id, 'bump');
    expect((await inbox(agent)).map((c) => c.id)).toEqual([first.id, third.id, second.id]);

    const page1 = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', '/v1/support/conversations?limit=2');
    expectStatus(page1, 200);
    expect(page1.body.items.map((c) => c.id)).toEqual([first.id, third.id]);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await api<PageDto<SupportInboxItemDto>>(
      agent,
      'GET',
      `/v1/support/conversations?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor!)}`,
    );
    expectStatus(page2, 200);
    expect(page2.body.items.map((c) => c.id)).toEqual([second.id]);
    expect(page2.body.hasMore).toBe(false);
    expect(itemAt(page1.body.items, 0).unreadCount).toBe(2);

    const rooms = await api<PageDto<RoomListItemDto>>(visitor, 'GET', '/v1/rooms');
    expectStatus(rooms, 200);
    expect(rooms.body.items.map((r) => r.id).sort()).toEqual([first.id, third.id].sort());
    expect(rooms.body.items.every((r) => r.kind === 'support')).toBe(true);
    const otherRooms = await api<PageDto<RoomListItemDto>>(other, 'GET', '/v1/rooms');
    expect(otherRooms.body.items.map((r) => r.id)).toEqual([second.id]);
  });

  it('lets any agent of the app read, write and join (room:join) a conversation it is not a member of, as an agent member', async () => {
    const tenant = await server.createTenant();
    const reader = await server.member(tenant, 'reader', { role: 'agent', name: 'Rui' });
    const writer = await server.member(tenant, 'writer', { role: 'agent', name: 'Wes' });
    const joiner = await server.member(tenant, 'joiner', { role: 'admin', name: 'Jo' });
    const visitor = await server.guest(tenant);
    const started = await start(visitor, 'anyone there?');

    expect((await history(reader, started.id)).map((m) => m.text)).toEqual(['anyone there?']);
    const written = await send(writer, started.id, 'I am here');
    expect(written.senderId).toBe(writer.user.id);
    const joinerSocket = await socketOf(joiner);
    const joined = await socketCall<RoomJoinResult>(joinerSocket, 'room:join', { roomId: started.id });
    expect(joined.room.id).toBe(started.id);
    expect(joined.messages.map((m) => m.text)).toEqual(['anyone there?', 'I am here']);

    const roles = Object.fromEntries(
      (await server.db('memberships').where({ roomId: started.id }).select('userId', 'role')).map((m: { userId: string; role: string }) => [
        m.userId,
        m.role,
      ]),
    );
    expect(roles).toEqual({ [visitor.user.id]: 'member', [reader.user.id]: 'agent', [writer.user.id]: 'agent', [joiner.user.id]: 'agent' });
    // Writing (or just reading) is not claiming.
    expect((await conversation(reader, started.id)).support.assigneeId).toBeNull();
  });

  it("refuses other visitors and plain members (403) and other apps' agents (404) on the conversation and the inbox", async () => {
    const tenant = await server.createTenant();
    const otherTenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent', { role: 'agent', name: 'Ana' });
    const visitor = await server.guest(tenant);
    const otherVisitor = await server.guest(tenant, 'Nosy');
    const plain = await server.member(tenant, 'plain-user');
    const foreignAgent = await server.member(otherTenant, 'agent', { role: 'agent', name: 'Foreign' });
    const started = await start(visitor, 'private matter');

    for (const intruder of [otherVisitor, plain]) {
      expectError(await api(intruder, 'GET', '/v1/support/conversations'), 403, 'forbidden');
      expectError(await api(intruder, 'GET', `/v1/support/conversations/${started.id}`), 403, 'forbidden');
      expectError(await api(intruder, 'POST', `/v1/support/conversations/${started.id}/assign`, {}), 403, 'forbidden');
      expectError(
        await api(intruder, 'POST', `/v1/support/conversations/${started.id}/assign`, { agentId: agent.user.id }),
        403,
        'forbidden',
      );
      expectError(await api(intruder, 'POST', `/v1/support/conversations/${started.id}/resolve`), 403, 'forbidden');
      expectError(await api(intruder, 'POST', `/v1/support/conversations/${started.id}/reopen`), 403, 'forbidden');
      expectError(await api(intruder, 'GET', `/v1/rooms/${started.id}/messages`), 403, 'forbidden');
      expectError(
        await api(intruder, 'POST', `/v1/rooms/${started.id}/messages`, { clientId: randomUUID(), text: 'hi' }),
        403,
        'forbidden',
      );
    }
    // The visitor itself may read its conversation but not act on it as an agent.
    expect((await conversation(visitor, started.id)).id).toBe(started.id);
    expectError(await api(visitor, 'GET', '/v1/support/conversations'), 403, 'forbidden');
    expectError(await api(visitor, 'POST', `/v1/support/conversations/${started.id}/resolve`), 403, 'forbidden');

    expectError(await api(foreignAgent, 'GET', `/v1/support/conversations/${started.id}`), 404, 'not_found');
    expectError(await api(foreignAgent, 'POST', `/v1/support/conversations/${started.id}/assign`, {}), 404, 'not_found');
    expectError(await api(foreignAgent, 'POST', `/v1/support/conversations/${started.id}/resolve`), 404, 'not_found');
    expectError(await api(foreignAgent, 'POST', `/v1/support/conversations/${started.id}/reopen`), 404, 'not_found');
    expectError(await api(foreignAgent, 'GET', `/v1/rooms/${started.id}/messages`), 404, 'not_found');
    expectError(await api(foreignAgent, 'PATCH', `/v1/rooms/${started.id}`, { status: 'pending' }), 404, 'not_found');
    expect(await inbox(foreignAgent)).toEqual([]);

    // Nothing changed and nobody joined.
    const after = await conversation(agent, started.id);
    expect(after.support).toMatchObject({ status: 'open', assigneeId: null });
    const memberIds = await server.db('memberships').where({ roomId: started.id }).pluck('user_id');
    expect(memberIds.sort()).toEqual([visitor.user.id, agent.user.id].sort());
    expect(summary(await history(agent, started.id))).toEqual([['text', null, visitor.user.id, 'private matter']]);
  });

  it('returns the same conversation for a retried start (one message), refuses staff (403) and text without clientId (422)', async () => {
    const tenant = await server.createTenant();
    const visitor = await server.guest(tenant);
    const agent = await server.member(tenant, 'agent', { role: 'agent', name: 'Ana' });
    const adminUser = await server.member(tenant, 'boss', { role: 'admin' });
    const clientId = randomUUID();
    const body = { text: 'Is anyone there?', clientId, visitor: visitorInfo };

    const first = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', body);
    expectStatus(first, 201);
    const retry = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', body);
    expect(retry.status).toBeLessThan(300);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.message?.id).toBe(first.body.message?.id);

    const rooms = await server.db('rooms').where({ appId: tenant.id, kind: 'support' }).pluck('id');
    expect(rooms).toEqual([first.body.id]);
    expect(summary(await history(visitor, first.body.id))).toEqual([['text', null, visitor.user.id, 'Is anyone there?']]);

    for (const staff of [agent, adminUser]) {
      expectError(await api(staff, 'POST', '/v1/support/conversations', { text: 'hi', clientId: randomUUID() }), 403, 'forbidden');
    }
    expectError(await api(visitor, 'POST', '/v1/support/conversations', { text: 'no client id' }), 422, 'validation_failed');
    expect(await server.db('rooms').where({ appId: tenant.id, kind: 'support' }).pluck('id')).toEqual([first.body.id]);

    // Without a first message: an empty conversation, no message.
    const empty = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', {});
    expectStatus(empty, 201);
    expect(empty.body.message).toBeNull();
    expect(empty.body.id).not.toBe(first.body.id);
  });

  it('assigns to another agent, unassigns with null, refuses a non-agent (422), and a repeated claim adds no message', async () => {
    const tenant = await server.createTenant();
    const ana = await server.member(tenant, 'ana', { role: 'agent', name: 'Ana' });
    const bob = await server.member(tenant, 'bob', { role: 'agent', name: 'Bob' });
    const plain = await server.member(tenant, 'plain', { name: 'Plain' });
    const visitor = await server.guest(tenant);
    const foreignAgent = await server.member(await server.createTenant(), 'agent', { role: 'agent' });
    const started = await start(visitor, 'help');
    const path = `/v1/support/conversations/${started.id}/assign`;

    const claimed = await api<SupportConversationDto>(ana, 'POST', path, {});
    expectStatus(claimed, 200);
    expect(claimed.body.support.assigneeId).toBe(ana.user.id);
    const again = await api<SupportConversationDto>(ana, 'POST', path, {});
    expectStatus(again, 200);
    expect(again.body.support.assigneeId).toBe(ana.user.id);
    expect(again.body.lastSeq).toBe(claimed.body.lastSeq);

    const toBob = await api<SupportConversationDto>(ana, 'POST', path, { agentId: bob.user.id });
    expectStatus(toBob, 200);
    expect(toBob.body.support.assigneeId).toBe(bob.user.id);
    expect(toBob.body.assignee).toMatchObject({ id: bob.user.id, name: 'Bob' });
    // Bob is now a member with the agent role.
    expect(await server.db('memberships').where({ roomId: started.id, userId: bob.user.id }).first('role')).toEqual({ role: 'agent' });
    expect((await inbox(bob, '?assignee=me')).map((c) => c.id)).toEqual([started.id]);
    expect(await inbox(ana, '?assignee=me')).toEqual([]);

    // Assigning to the current assignee again is a no-op.
    expectStatus(await api(ana, 'POST', path, { agentId: bob.user.id }), 200);

    const unassigned = await api<SupportConversationDto>(ana, 'POST', path, { agentId: null });
    expectStatus(unassigned, 200);
    expect(unassigned.body.support.assigneeId).toBeNull();
    expect(unassigned.body.assignee).toBeNull();
    expectStatus(await api(ana, 'POST', path, { agentId: null }), 200);

    for (const agentId of [plain.user.id, visitor.user.id, foreignAgent.user.id, randomUUID()]) {
      expectError(await api(ana, 'POST', path, { agentId }), 422, 'validation_failed');
    }
    expect((await conversation(ana, started.id)).support.assigneeId).toBeNull();

    expect(summary(await history(ana, started.id))).toEqual([
      ['text', null, visitor.user.id, 'help'],
      ['system', 'assigned', ana.user.id, 'Ana joined'],
      ['system', 'assigned', ana.user.id, 'Ana assigned Bob'],
      ['system', 'unassigned', ana.user.id, 'Ana unassigned the conversation'],
    ]);
    const notes = systemOf(await history(ana, started.id));
    expect(itemAt(notes, 1).system).toMatchObject({ event: 'assigned', actorId: ana.user.id, agentId: bob.user.id });
    expect(itemAt(notes, 2).system).toMatchObject({ event: 'unassigned', actorId: ana.user.id });

    // Resolving and reopening twice writes one note each.
    expectStatus(await api(ana, 'POST', `/v1/support/conversations/${started.id}/resolve`), 200);
    expectStatus(await api(ana, 'POST', `/v1/support/conversations/${started.id}/resolve`), 200);
    expectStatus(await api(ana, 'POST', `/v1/support/conversations/${started.id}/reopen`), 200);
    const reopened = await api<SupportConversationDto>(ana, 'POST', `/v1/support/conversations/${started.id}/reopen`);
    expectStatus(reopened, 200);
    expect(reopened.body.support.status).toBe('open');
    expect(systemOf(await history(ana, started.id)).map((m) => [m.system?.event, m.text])).toEqual([
      ['assigned', 'Ana joined'],
      ['assigned', 'Ana assigned Bob'],
      ['unassigned', 'Ana unassigned the conversation'],
      ['resolved', 'Resolved by Ana'],
      ['reopened', 'Reopened by Ana'],
    ]);
  });

  it('sends the away message when nobody can answer, and tracks agents online, away and business hours', async () => {
    const tenant = await server.createTenant();
    const away = 'We are away right now; we will answer by email.';
    const patched = await admin('PATCH', `/v1/admin/apps/${tenant.id}/settings`, { greeting: 'Hi! Ask us anything.', awayMessage: away });
    expectStatus(patched, 200);

    const agent = await server.member(tenant, 'ana', { role: 'agent', name: 'Ana' });
    const before = await settings(tenant);
    expect(before).toMatchObject({
      greeting: 'Hi! Ask us anything.',
      awayMessage: away,
      businessHours: null,
      available: false,
      withinBusinessHours: true,
      online: 0,
      away: 0,
    });
    expect(before.agents).toEqual([{ id: agent.user.id, name: 'Ana', lastName: null, avatarUrl: null, status: 'offline' }]);

    // Nobody online: the away message follows the visitor's first message.
    const visitor = await server.guest(tenant);
    const lonely = await start(visitor, 'hello?');
    expect(lonely.message?.text).toBe('hello?');
    const lonelyMessages = await history(visitor, lonely.id);
    expect(summary(lonelyMessages)).toEqual([
      ['text', null, visitor.user.id, 'hello?'],
      ['system', 'away', null, away],
    ]);
    expect(itemAt(lonelyMessages, 1).system).toMatchObject({ event: 'away', actorId: null });
    expect(itemAt(lonelyMessages, 1).sender).toBeNull();

    // An agent connects: visitors' sockets hear it, the settings show them online.
    const visitorSocket = await socketOf(visitor);
    const heardOnline = waitFor<SupportAvailabilityDto>(visitorSocket, 'support:availability', (a) => a.online === 1);
    const agentSocket = await socketOf(agent);
    const online = await heardOnline;
    expect(online).toMatchObject({ available: true, withinBusinessHours: true, online: 1, away: 0 });
    expect(online.agents).toEqual([{ id: agent.user.id, name: 'Ana', lastName: null, avatarUrl: null, status: 'online' }]);
    expect(await settings(tenant)).toMatchObject({ available: true, online: 1, away: 0, greeting: 'Hi! Ask us anything.' });

    // Someone can answer: no away message.
    const answered = await start(await server.guest(tenant), 'hi there');
    expect(summary(await history(agent, answered.id)).map(([type]) => type)).toEqual(['text']);

    // Away: counted as away, nobody available; visitors hear it.
    const heardAway = waitFor<SupportAvailabilityDto>(visitorSocket, 'support:availability', (a) => a.away === 1);
    const setAway = await api<SupportAvailabilityDto>(agent, 'PUT', '/v1/support/availability', { availability: 'away' });
    expectStatus(setAway, 200);
    expect(setAway.body).toMatchObject({ available: false, online: 0, away: 1 });
    expect((await heardAway).available).toBe(false);
    expect(await settings(tenant)).toMatchObject({ available: false, online: 0, away: 1 });
    expect((await settings(tenant)).agents[0]).toMatchObject({ id: agent.user.id, status: 'away' });
    const whileAway = await start(await server.guest(tenant), 'anyone?');
    expect(systemOf(await history(agent, whileAway.id)).map((m) => [m.system?.event, m.senderId, m.text])).toEqual([['away', null, away]]);

    // Visitors have no availability.
    expectError(await api(visitor, 'PUT', '/v1/support/availability', { availability: 'online' }), 403, 'forbidden');
    expectError(await api(agent, 'PUT', '/v1/support/availability', { availability: 'busy' }), 422, 'validation_failed');

    // Back online, but outside business hours: not available, and the away message is sent.
    expectStatus(await api(agent, 'PUT', '/v1/support/availability', { availability: 'online' }), 200);
    expect(await settings(tenant)).toMatchObject({ available: true, online: 1 });
    const hours = hoursExcludingNow();
    expectStatus(await admin('PATCH', `/v1/admin/apps/${tenant.id}/settings`, { businessHours: hours }), 200);
    const closed = await settings(tenant);
    expect(closed).toMatchObject({ available: false, withinBusinessHours: false, online: 1, businessHours: hours, awayMessage: away });
    const afterHours = await start(await server.guest(tenant), 'are you open?');
    expect(systemOf(await history(agent, afterHours.id)).map((m) => m.system?.event)).toEqual(['away']);

    // Removing the hours (null) makes the agent available again.
    expectStatus(await admin('PATCH', `/v1/admin/apps/${tenant.id}/settings`, { businessHours: null, awayMessage: null }), 200);
    expect(await settings(tenant)).toMatchObject({ available: true, withinBusinessHours: true, businessHours: null, awayMessage: null });

    // The agent's socket closing takes them offline.
    const heardOffline = waitFor<SupportAvailabilityDto>(
      visitorSocket,
      'support:availability',
      (a) => a.online === 0 && a.agents[0]?.status === 'offline',
    );
    agentSocket.close();
    expect((await heardOffline).available).toBe(false);
  });

  it('marks a conversation pending through PATCH /v1/rooms/:id (agents, not the visitor: 403); a visitor message reopens it', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'ana', { role: 'agent', name: 'Ana' });
    const bob = await server.member(tenant, 'bob', { role: 'agent', name: 'Bob' });
    const visitor = await server.guest(tenant);
    const started = await start(visitor, 'question');

    const agentSocket = await socketOf(agent);
    const heard = waitFor<SupportConversationDto>(
      agentSocket,
      'support:conversation',
      (c) => c.id === started.id && c.support.status === 'pending',
    );
    const pending = await api<RoomDto>(agent, 'PATCH', `/v1/rooms/${started.id}`, { status: 'pending' });
    expectStatus(pending, 200);
    expect(pending.body.support?.status).toBe('pending');
    expect((await heard).support.status).toBe('pending');
    expect((await conversation(visitor, started.id)).support.status).toBe('pending');
    expect((await inbox(agent, '?status=pending')).map((c) => c.id)).toEqual([started.id]);
    expect(await inbox(agent, '?status=open')).toEqual([]);

    const notes = systemOf(await history(agent, started.id));
    expect(notes.map((m) => [m.system?.event, m.senderId, m.text])).toEqual([
      ['pending', agent.user.id, 'Ana marked the conversation pending'],
    ]);

    // The visitor may not change it (status or assignee), nor rename it.
    expectError(await api(visitor, 'PATCH', `/v1/rooms/${started.id}`, { status: 'resolved' }), 403, 'forbidden');
    expectError(await api(visitor, 'PATCH', `/v1/rooms/${started.id}`, { assigneeId: null }), 403, 'forbidden');
    expect((await conversation(agent, started.id)).support.status).toBe('pending');

    // Assignee through PATCH, like the assign action.
    const assigned = await api<RoomDto>(agent, 'PATCH', `/v1/rooms/${started.id}`, { assigneeId: bob.user.id });
    expectStatus(assigned, 200);
    expect(assigned.body.support?.assigneeId).toBe(bob.user.id);
    expectError(await api(agent, 'PATCH', `/v1/rooms/${started.id}`, { assigneeId: visitor.user.id }), 422, 'validation_failed');

    // The same status again is a no-op.
    expectStatus(await api(agent, 'PATCH', `/v1/rooms/${started.id}`, { status: 'pending' }), 200);
    expect(systemOf(await history(agent, started.id)).map((m) => m.system?.event)).toEqual(['pending', 'assigned']);

    // A visitor message reopens a pending conversation too.
    await send(visitor, started.id, 'any news?');
    expect((await conversation(agent, started.id)).support.status).toBe('open');
    expect(
      summary(await history(agent, started.id))
        .slice(-2)
        .map(([type, event, sender]) => [type, event, sender]),
    ).toEqual([
      ['text', null, visitor.user.id],
      ['system', 'reopened', visitor.user.id],
    ]);
    // An agent's message does not reopen a resolved one.
    expectStatus(await api(agent, 'PATCH', `/v1/rooms/${started.id}`, { status: 'resolved' }), 200);
    await send(agent, started.id, 'closing note');
    expect((await conversation(agent, started.id)).support.status).toBe('resolved');
  });
});

describe('canned responses', () => {
  it('creates, lists (q filters), updates and deletes per app; shortcuts are lowercase and unique (409); visitors get 403', async () => {
    const tenant = await server.createTenant();
    const otherTenant = await server.createTenant();
    const agent = await server.member(tenant, 'ana', { role: 'agent', name: 'Ana' });
    const adminUser = await server.member(tenant, 'boss', { role: 'admin' });
    const visitor = await server.guest(tenant);
    const plain = await server.member(tenant, 'plain');
    const foreignAgent = await server.member(otherTenant, 'agent', { role: 'agent' });

    const hello = await api<CannedResponseDto>(agent, 'POST', '/v1/canned-responses', {
      shortcut: 'Hello',
      text: 'Hi! How can I help you today?',
    });
    expectStatus(hello, 201);
    expect(hello.body).toMatchObject({ shortcut: 'hello', text: 'Hi! How can I help you today?', createdBy: agent.user.id });
    const refund = await api<CannedResponseDto>(adminUser, 'POST', '/v1/canned-responses', {
      shortcut: 'refund',
      text: 'Refunds take 5 business days.',
    });
    expectStatus(refund, 201);
    const bye = await api<CannedResponseDto>(agent, 'POST', '/v1/canned-responses', { shortcut: 'bye', text: 'Thanks for reaching out!' });
    expectStatus(bye, 201);

    expectError(await api(agent, 'POST', '/v1/canned-responses', { shortcut: 'HELLO', text: 'duplicate' }), 409, 'conflict');
    expectError(await api(agent, 'POST', '/v1/canned-responses', { shortcut: '/slash', text: 'bad' }), 422, 'validation_failed');

    const all = await api<PageDto<CannedResponseDto>>(agent, 'GET', '/v1/canned-responses');
    expectStatus(all, 200);
    expect(all.body.items.map((c) => c.shortcut)).toEqual(['bye', 'hello', 'refund']);
    const byShortcut = await api<PageDto<CannedResponseDto>>(adminUser, 'GET', '/v1/canned-responses?q=REF');
    expect(byShortcut.body.items.map((c) => c.id)).toEqual([refund.body.id]);
    const byText = await api<PageDto<CannedResponseDto>>(agent, 'GET', '/v1/canned-responses?q=help');
    expect(byText.body.items.map((c) => c.id)).toEqual([hello.body.id]);
    const none = await api<PageDto<CannedResponseDto>>(agent, 'GET', '/v1/canned-responses?q=nothing-like-this');
    expect(none.body.items).toEqual([]);

    const renamed = await api<CannedResponseDto>(agent, 'PATCH', `/v1/canned-responses/${hello.body.id}`, {
      shortcut: 'Greet',
      text: 'Hello there!',
    });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ id: hello.body.id, shortcut: 'greet', text: 'Hello there!' });
    expectError(await api(agent, 'PATCH', `/v1/canned-responses/${hello.body.id}`, { shortcut: 'REFUND' }), 409, 'conflict');

    // Another app neither sees nor touches them, and may reuse the shortcut.
    const foreignList = await api<PageDto<CannedResponseDto>>(foreignAgent, 'GET', '/v1/canned-responses');
    expectStatus(foreignList, 200);
    expect(foreignList.body.items).toEqual([]);
    expectError(await api(foreignAgent, 'PATCH', `/v1/canned-responses/${refund.body.id}`, { text: 'hijacked' }), 404, 'not_found');
    expectStatus(await api(foreignAgent, 'POST', '/v1/canned-responses', { shortcut: 'refund', text: 'Our own refund policy' }), 201);

    // Visitors and plain members have none.
    for (const outsider of [visitor, plain]) {
      expectError(await api(outsider, 'GET', '/v1/canned-responses'), 403, 'forbidden');
      expectError(await api(outsider, 'POST', '/v1/canned-responses', { shortcut: 'mine', text: 'x' }), 403, 'forbidden');
      expectError(await api(outsider, 'PATCH', `/v1/canned-responses/${refund.body.id}`, { text: 'x' }), 403, 'forbidden');
      expectError(await api(outsider, 'DELETE', `/v1/canned-responses/${refund.body.id}`), 403, 'forbidden');
    }

    expectStatus(await api(agent, 'DELETE', `/v1/canned-responses/${bye.body.id}`), 204);
    expectError(await api(agent, 'PATCH', `/v1/canned-responses/${bye.body.id}`, { text: 'x' }), 404, 'not_found');
    const remaining = await api<PageDto<CannedResponseDto>>(agent, 'GET', '/v1/canned-responses');
    expect(remaining.body.items.map((c) => [c.shortcut, c.text])).toEqual([
      ['greet', 'Hello there!'],
      ['refund', 'Refunds take 5 business days.'],
    ]);
  });

  it("answers 404 to a DELETE of another app's or an already deleted canned response, and deletes nothing", async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'ana', { role: 'agent', name: 'Ana' });
    const foreignAgent = await server.member(await server.createTenant(), 'agent', { role: 'agent' });
    const kept = await api<CannedResponseDto>(agent, 'POST', '/v1/canned-responses', { shortcut: 'kept', text: 'Still here' });
    expectStatus(kept, 201);
    const gone = await api<CannedResponseDto>(agent, 'POST', '/v1/canned-responses', { shortcut: 'gone', text: 'Deleted once' });
    expectStatus(gone, 201);
    expectStatus(await api(agent, 'DELETE', `/v1/canned-responses/${gone.body.id}`), 204);

    expectError(await api(foreignAgent, 'DELETE', `/v1/canned-responses/${kept.body.id}`), 404, 'not_found');
    expectError(await api(agent, 'DELETE', `/v1/canned-responses/${gone.body.id}`), 404, 'not_found');
    expectError(await api(agent, 'DELETE', `/v1/canned-responses/${randomUUID()}`), 404, 'not_found');

    const left = await api<PageDto<CannedResponseDto>>(agent, 'GET', '/v1/canned-responses');
    expect(left.body.items.map((c) => c.id)).toEqual([kept.body.id]);
  });
});
