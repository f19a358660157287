import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  MessageDto,
  ModerationEntryDto,
  PageDto,
  RoomBanDto,
  RoomDto,
  RoomJoinResult,
  UserBanDto,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, request, settle, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const PASSWORD = 'correct horse battery';

const opened = new Set<ClientSocket>();
async function open(node: TestServer, session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(node, session);
  opened.add(socket);
  return socket;
}
afterAll(() => {
  for (const socket of opened) socket.close();
});

function api<T = unknown>(
  node: TestServer,
  session: AuthSessionDto,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  return node.request<T>(method, path, { token: session.accessToken, body });
}

function expectRefused(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

const details = (res: ApiResponse) => replyError(res.body)?.details as Record<string, unknown> | undefined;

async function publicRoom(node: TestServer, owner: AuthSessionDto, members: AuthSessionDto[]): Promise<RoomDto> {
  const res = await api<RoomDto>(node, owner, 'POST', '/v1/rooms', {
    kind: 'public',
    name: 'Lobby',
    memberIds: members.map((m) => m.user.id),
  });
  expect(res.status).toBe(201);
  return res.body;
}

const send = (node: TestServer, session: AuthSessionDto, roomId: string, text = 'hi') =>
  api<MessageDto>(node, session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });

const socketSend = (socket: ClientSocket, roomId: string, text = 'hi') =>
  request<{ message: MessageDto }>(socket, 'message:send', { roomId, clientId: randomUUID(), text });

function register(node: TestServer, app: App, username: string) {
  return node.request<AuthSessionDto>('POST', '/v1/auth/register', { app: app.id, body: { username, password: PASSWORD, name: username } });
}
function login(node: TestServer, app: App, username: string) {
  return node.request<AuthSessionDto>('POST', '/v1/auth/login', { app: app.id, body: { username, password: PASSWORD } });
}
function refresh(node: TestServer, session: AuthSessionDto) {
  return node.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
}

const disconnected = (socket: ClientSocket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('on one node', () => {
  let server: TestServer;
  let tenant: App;
  let owner: AuthSessionDto;
  let admin: AuthSessionDto;
  const member = (name: string) => server.member(tenant, `${name}-${randomUUID().slice(0, 8)}`, { name });

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    owner = await server.member(tenant, 'owner', { name: 'Olga' });
    admin = await server.member(tenant, 'admin', { name: 'Ada', role: 'admin' });
  });
  afterAll(() => server?.close());

  it('keeps a room-banned user out of join, send, reads and catch-up until the ban ends', async () => {
    const [bob, carol] = await Promise.all([member('Bob'), member('Carol')]);
    const room = await publicRoom(server, owner, [bob, carol]);
    const bobSocket = await open(server, bob);
    const carolSocket = await open(server, carol);
    for (const s of [bobSocket, carolSocket]) await call(s, 'room:join', { roomId: room.id });
    const told = waitFor<ModerationEntryDto>(bobSocket, 'room:moderation', (e) => e.action === 'member.banned');
    const seenByBob = collect<MessageDto>(bobSocket, 'message:created');

    const ack = await request<{ ban: RoomBanDto }>(await open(server, owner), 'moderation:ban', {
      roomId: room.id,
      userId: bob.user.id,
      durationSeconds: 3600,
      reason: 'spam',
    });
    const ban = ack.data!.ban;
    expect(ban).toMatchObject({ roomId: room.id, userId: bob.user.id, bannedBy: owner.user.id, reason: 'spam', user: { id: bob.user.id } });
    expect(Date.parse(ban.expiresAt!)).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await told).details.until).toBe(ban.expiresAt);

    // Their open socket no longer hears the room.
    const carolHears = waitFor<MessageDto>(carolSocket, 'message:created', (m) => m.text === 'after the ban');
    expect((await send(server, owner, room.id, 'after the ban')).status).toBe(201);
    await carolHears;
    await settle(200);
    expect(seenByBob).toEqual([]);

    const join = await api(server, bob, 'POST', `/v1/rooms/${room.id}/members`, { userId: bob.user.id });
    expectRefused(join, 403, 'forbidden');
    expect(details(join)).toEqual({ bannedUntil: ban.expiresAt });
    expect((await request(bobSocket, 'room:join', { roomId: room.id })).error?.code).toBe('forbidden');
    expect((await request(bobSocket, 'room:join', { roomId: room.id, since: 1 })).error?.code).toBe('forbidden');
    expectRefused(await send(server, bob, room.id), 403, 'forbidden');
    expect((await socketSend(bobSocket, room.id)).error?.code).toBe('forbidden');
    expectRefused(await api(server, bob, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');
    expectRefused(await api(server, bob, 'GET', `/v1/rooms/${room.id}/members`), 403, 'forbidden');
    expectRefused(await api(server, bob, 'GET', `/v1/rooms/${room.id}`), 403, 'forbidden');
    // Nobody adds them back while it lasts.
    const added = await api(server, owner, 'POST', `/v1/rooms/${room.id}/members`, { userIds: [bob.user.id] });
    expectRefused(added, 403, 'forbidden');
    expect(details(added)).toMatchObject({ userId: bob.user.id });
    expect(await server.db('memberships').where({ roomId: room.id, userId: bob.user.id }).first()).toBeUndefined();

    const bans = await api<PageDto<RoomBanDto>>(server, carol, 'GET', `/v1/rooms/${room.id}/bans`);
    expectRefused(bans, 403, 'forbidden');
    const listed = await api<PageDto<RoomBanDto>>(server, owner, 'GET', `/v1/rooms/${room.id}/bans`);
    expect(listed.body.items.map((b) => b.userId)).toEqual([bob.user.id]);

    // The ban ends (simulated): it no longer counts.
    await server
      .db('room_bans')
      .where({ roomId: room.id, userId: bob.user.id })
      .update({ expiresAt: new Date(Date.now() - 1000) });
    expect((await api<PageDto<RoomBanDto>>(server, owner, 'GET', `/v1/rooms/${room.id}/bans`)).body.items).toEqual([]);
    expect((await api(server, bob, 'POST', `/v1/rooms/${room.id}/members`, { userId: bob.user.id })).status).toBe(200);
    const back = await call<RoomJoinResult>(bobSocket, 'room:join', { roomId: room.id, since: 0 });
    expect(back.messages.map((m) => m.text)).toContain('after the ban');
    expect((await send(server, bob, room.id, 'back')).status).toBe(201);
  });

  it('lifts a ban with unban, and lets a kicked member join a public room again', async () => {
    const [bob, carol] = await Promise.all([member('Bob'), member('Carol')]);
    const room = await publicRoom(server, owner, [bob, carol]);
    expect((await api(server, owner, 'PUT', `/v1/rooms/${room.id}/bans/${bob.user.id}`, {})).body).toMatchObject({ expiresAt: null });
    const ownerSocket = await open(server, owner);
    expect((await request(ownerSocket, 'moderation:unban', { roomId: room.id, userId: bob.user.id })).data).toEqual({ ok: true });
    expect((await request(ownerSocket, 'moderation:unban', { roomId: room.id, userId: bob.user.id })).error?.code).toBe('not_found');
    expect((await api(server, bob, 'POST', `/v1/rooms/${room.id}/members`, { userId: bob.user.id })).status).toBe(200);

    const carolSocket = await open(server, carol);
    await call(carolSocket, 'room:join', { roomId: room.id });
    const seen = collect<MessageDto>(carolSocket, 'message:created');
    expect((await request(ownerSocket, 'moderation:kick', { roomId: room.id, userId: carol.user.id, reason: 'cool off' })).data).toEqual({
      ok: true,
    });
    expectRefused(await send(server, carol, room.id), 403, 'forbidden');
    await send(server, owner, room.id, 'while away');
    await settle(200);
    expect(seen).toEqual([]);
    expect((await api(server, carol, 'POST', `/v1/rooms/${room.id}/members`, { userId: carol.user.id })).status).toBe(200);
    expect((await send(server, carol, room.id, 'back')).status).toBe(201);
    expect((await request(ownerSocket, 'moderation:kick', { roomId: room.id, userId: randomUUID() })).error?.code).toBe('not_found');
    const stranger = await server.member(await server.createTenant(), 'stranger');
    expectRefused(await api(server, owner, 'PUT', `/v1/rooms/${room.id}/bans/${stranger.user.id}`, {}), 404, 'not_found');
    expectRefused(await api(server, stranger, 'PUT', `/v1/rooms/${room.id}/bans/${bob.user.id}`, {}), 404, 'not_found');
  });

  it('ends every session of an app-banned user and refuses sign-in, refresh, exchange and the handshake while banned', async () => {
    const username = `bob-${randomUUID().slice(0, 8)}`;
    const registered = await register(server, tenant, username);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const second = (await login(server, tenant, username)).body;
    const bob = registered.body;
    const sockets = [await open(server, bob), await open(server, second)];
    const gone = sockets.map(disconnected);

    const ban = await api<UserBanDto>(server, admin, 'PUT', `/v1/moderation/bans/${bob.user.id}`, { durationSeconds: 600, reason: 'spam' });
    expect(ban.status, JSON.stringify(ban.body)).toBe(200);
    expect(ban.body).toMatchObject({ userId: bob.user.id, bannedBy: admin.user.id, reason: 'spam', user: { id: bob.user.id } });
    await Promise.all(gone);

    const bannedUntil = ban.body.expiresAt;
    expectRefused(await api(server, bob, 'GET', '/v1/me'), 401, 'unauthorized');
    const signIn = await login(server, tenant, username);
    expectRefused(signIn, 403, 'forbidden');
    expect(details(signIn)).toEqual({ bannedUntil });
    for (const session of [bob, second]) {
      const rotated = await refresh(server, session);
      expectRefused(rotated, 403, 'forbidden');
      expect(details(rotated)).toEqual({ bannedUntil });
    }
    await expect(connect(server, bob)).rejects.toThrow();
    expect(await server.db('refresh_tokens').where({ userId: bob.user.id }).whereNull('revoked_at').first()).toBeUndefined();

    const listed = await api<PageDto<UserBanDto>>(server, admin, 'GET', '/v1/moderation/bans');
    expect(listed.body.items.map((b) => b.userId)).toContain(bob.user.id);

    // The ban ends (simulated): signing in works again (the ended sessions stay ended).
    await server
      .db('user_bans')
      .where({ userId: bob.user.id })
      .update({ expiresAt: new Date(Date.now() - 1000) });
    expect((await login(server, tenant, username)).status).toBe(200);
    expect((await api<PageDto<UserBanDto>>(server, admin, 'GET', '/v1/moderation/bans')).body.items.map((b) => b.userId)).not.toContain(
      bob.user.id,
    );
  });

  it('refuses host-token exchange and guest refresh to app-banned people, until unbanned', async () => {
    const host = await server.member(tenant, 'host-user-1');
    const guest = await server.guest(tenant, 'Visitor');
    for (const who of [host, guest]) {
      expect((await api(server, admin, 'PUT', `/v1/moderation/bans/${who.user.id}`, {})).status).toBe(200);
    }
    const exchanged = await server.member(tenant, 'host-user-1').catch((err: Error) => err.message);
    expect(exchanged).toMatch(/exchange failed: 403 .*"bannedUntil":null/);
    const guestRefresh = await refresh(server, guest);
    expectRefused(guestRefresh, 403, 'forbidden');
    expect(details(guestRefresh)).toEqual({ bannedUntil: null });

    expect((await api(server, admin, 'DELETE', `/v1/moderation/bans/${host.user.id}`)).status).toBe(204);
    expectRefused(await api(server, admin, 'DELETE', `/v1/moderation/bans/${host.user.id}`), 404, 'not_found');
    expect((await server.member(tenant, 'host-user-1')).user.id).toBe(host.user.id);
    const log = await api<PageDto<ModerationEntryDto>>(server, admin, 'GET', '/v1/moderation/log');
    expect(log.body.items.slice(0, 3).map((e) => [e.action, e.targetUserId])).toEqual([
      ['user.unbanned', host.user.id],
      ['user.banned', guest.user.id],
      ['user.banned', host.user.id],
    ]);
  });

  it('lets only admins ban app-wide, never themselves, another admin or a user of another app', async () => {
    const agent = await server.member(tenant, 'agent', { role: 'agent' });
    const otherAdmin = await server.member(tenant, 'admin-2', { role: 'admin' });
    const mia = await member('Mia');
    const stranger = await server.member(await server.createTenant(), 'stranger');
    expectRefused(await api(server, agent, 'PUT', `/v1/moderation/bans/${mia.user.id}`, {}), 403, 'forbidden');
    expectRefused(await api(server, mia, 'PUT', `/v1/moderation/bans/${agent.user.id}`, {}), 403, 'forbidden');
    expectRefused(await api(server, agent, 'GET', '/v1/moderation/bans'), 403, 'forbidden');
    expectRefused(await api(server, admin, 'PUT', `/v1/moderation/bans/${admin.user.id}`, {}), 403, 'forbidden');
    expectRefused(await api(server, admin, 'PUT', `/v1/moderation/bans/${otherAdmin.user.id}`, {}), 403, 'forbidden');
    expectRefused(await api(server, admin, 'PUT', `/v1/moderation/bans/${stranger.user.id}`, {}), 404, 'not_found');
    expectRefused(await api(server, admin, 'PUT', `/v1/moderation/bans/${mia.user.id}`, { durationSeconds: 5 }), 422, 'validation_failed');
    // Stranger untouched.
    expect((await api(server, stranger, 'GET', '/v1/me')).status).toBe(200);
    // An admin may ban an agent.
    expect((await api(server, admin, 'PUT', `/v1/moderation/bans/${agent.user.id}`, {})).status).toBe(200);
  });
});

describe.runIf(clustered)('two nodes over Redis', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;
  let owner: AuthSessionDto;
  let admin: AuthSessionDto;
  const member = (name: string) => nodeA.member(tenant, `${name}-${randomUUID().slice(0, 8)}`, { name });

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    await until('both nodes see each other', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
    tenant = await nodeA.createTenant();
    owner = await nodeA.member(tenant, 'owner', { name: 'Olga' });
    admin = await nodeA.member(tenant, 'admin', { name: 'Ada', role: 'admin' });
  });
  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it('stops a room-banned user’s socket on the other node hearing the room at once, and tells the room and them', async () => {
    const [bob, carol] = await Promise.all([member('Bob'), member('Carol')]);
    const room = await publicRoom(nodeA, owner, [bob, carol]);
    const bobOnB = await open(nodeB, bob);
    const carolOnB = await open(nodeB, carol);
    for (const s of [bobOnB, carolOnB]) await call(s, 'room:join', { roomId: room.id });
    const seenByBob = collect<MessageDto>(bobOnB, 'message:created');
    const told = waitFor<ModerationEntryDto>(bobOnB, 'room:moderation', (e) => e.action === 'member.banned');
    const roomHeard = waitFor<ModerationEntryDto>(carolOnB, 'room:moderation', (e) => e.action === 'member.banned');

    expect((await api(nodeA, owner, 'PUT', `/v1/rooms/${room.id}/bans/${bob.user.id}`, { reason: 'spam' })).status).toBe(200);
    expect(await told).toMatchObject({ targetUserId: bob.user.id, actorId: owner.user.id, reason: 'spam', roomId: room.id });
    expect((await roomHeard).targetUserId).toBe(bob.user.id);
    const carolHears = waitFor<MessageDto>(carolOnB, 'message:created', (m) => m.text === 'right after');
    expect((await send(nodeA, owner, room.id, 'right after')).status).toBe(201);
    await carolHears;
    await settle(200);
    expect(seenByBob).toEqual([]);

    // Refused on the other node too: join, catch-up, send, reads.
    expect((await request(bobOnB, 'room:join', { roomId: room.id, since: 0 })).error?.code).toBe('forbidden');
    expect((await socketSend(bobOnB, room.id)).error?.code).toBe('forbidden');
    expectRefused(await api(nodeB, bob, 'POST', `/v1/rooms/${room.id}/members`, { userId: bob.user.id }), 403, 'forbidden');
    expectRefused(await api(nodeB, bob, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');
  });

  it('tells the room and the target on the other node of a mute, and refuses the muted sends there', async () => {
    const [bob, carol] = await Promise.all([member('Bob'), member('Carol')]);
    const room = await publicRoom(nodeA, owner, [bob, carol]);
    const bobOnB = await open(nodeB, bob);
    const carolOnB = await open(nodeB, carol);
    await call(carolOnB, 'room:join', { roomId: room.id });
    const told = waitFor<ModerationEntryDto>(bobOnB, 'room:moderation', (e) => e.action === 'member.muted');
    const roomHeard = waitFor<ModerationEntryDto>(carolOnB, 'room:moderation', (e) => e.action === 'member.muted');
    const ack = await request(await open(nodeA, owner), 'moderation:mute', { roomId: room.id, userId: bob.user.id, durationSeconds: 60 });
    expect(ack.error).toBeUndefined();
    const [entry] = await Promise.all([told, roomHeard]);
    const refused = await socketSend(bobOnB, room.id);
    expect(refused.error).toMatchObject({ code: 'forbidden', details: { mutedUntil: entry.details.until } });
  });

  it('disconnects an app-banned user’s sockets on the other node at once and refuses sign-in there', async () => {
    const username = `bob-${randomUUID().slice(0, 8)}`;
    const bob = (await register(nodeA, tenant, username)).body;
    const onB = await open(nodeB, bob);
    const onA = await open(nodeA, bob);
    const gone = Promise.all([disconnected(onB), disconnected(onA)]);
    const started = Date.now();
    expect((await api(nodeA, admin, 'PUT', `/v1/moderation/bans/${bob.user.id}`, {})).status).toBe(200);
    await gone;
    expect(Date.now() - started).toBeLessThan(2_000);
    expectRefused(await login(nodeB, tenant, username), 403, 'forbidden');
    expectRefused(await refresh(nodeB, bob), 403, 'forbidden');
    expectRefused(await api(nodeB, bob, 'GET', '/v1/me'), 401, 'unauthorized');
    await expect(connect(nodeB, bob)).rejects.toThrow();
  });
});
