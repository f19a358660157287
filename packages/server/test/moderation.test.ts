import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, MemberDto, MessageDto, ModerationEntryDto, PageDto, RoomBanDto, RoomDto, UserBanDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect, request, waitFor } from './helpers/sockets.js';

let server: TestServer;
let tenant: App;
let otherTenant: App;
let owner: AuthSessionDto;
let admin: AuthSessionDto;
let agent: AuthSessionDto;
let otherAdmin: AuthSessionDto;

const opened = new Set<ClientSocket>();
async function open(session: AuthSessionDto): Promise<ClientSocket> {
  const socket = await connect(server, session);
  opened.add(socket);
  return socket;
}

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectStatus(res: ApiResponse, status: number, code?: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, `${JSON.stringify(res.body)}`).toEqual({ status, code });
}

const member = (name: string) => server.member(tenant, `${name}-${randomUUID().slice(0, 8)}`, { name });

async function publicRoom(members: AuthSessionDto[] = []): Promise<RoomDto> {
  const res = await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'public', name: 'Lobby', memberIds: members.map((m) => m.user.id) });
  expect(res.status).toBe(201);
  return res.body;
}

const send = (session: AuthSessionDto, roomId: string, text = 'hi') =>
  api<MessageDto>(session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });

async function log(session: AuthSessionDto, roomId: string): Promise<ModerationEntryDto[]> {
  const res = await api<PageDto<ModerationEntryDto>>(session, 'GET', `/v1/rooms/${roomId}/moderation-log?limit=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

async function promote(roomId: string, who: AuthSessionDto): Promise<void> {
  expect((await api(owner, 'PUT', `/v1/rooms/${roomId}/members/${who.user.id}/role`, { role: 'moderator' })).status).toBe(200);
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
  otherTenant = await server.createTenant();
  owner = await server.member(tenant, 'owner', { name: 'Olga' });
  admin = await server.member(tenant, 'admin', { name: 'Ada', role: 'admin' });
  agent = await server.member(tenant, 'agent', { name: 'Agnes', role: 'agent' });
  otherAdmin = await server.member(otherTenant, 'admin', { name: 'Other', role: 'admin' });
});

afterAll(async () => {
  for (const socket of opened) socket.close();
  await server?.close();
});

describe('room roles', () => {
  it("lets the owner make a member a moderator and back, never change the owner's role, and logs it", async () => {
    const [mia, max] = await Promise.all([member('Mia'), member('Max')]);
    const room = await publicRoom([mia, max]);
    const promoted = await api<MemberDto>(owner, 'PUT', `/v1/rooms/${room.id}/members/${mia.user.id}/role`, { role: 'moderator' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ userId: mia.user.id, role: 'moderator', user: { id: mia.user.id } });
    // A moderator does not hand out roles; nobody changes the owner's.
    expectStatus(await api(mia, 'PUT', `/v1/rooms/${room.id}/members/${max.user.id}/role`, { role: 'moderator' }), 403, 'forbidden');
    expectStatus(await api(admin, 'PUT', `/v1/rooms/${room.id}/members/${owner.user.id}/role`, { role: 'member' }), 403, 'forbidden');
    expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/members/${agent.user.id}/role`, { role: 'moderator' }), 404, 'not_found');
    expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/members/${max.user.id}/role`, { role: 'owner' }), 422, 'validation_failed');
    // Over the socket, by an app admin: the room cache hears the new role (members list shows it).
    const socket = await open(admin);
    const ack = await request<{ member: MemberDto }>(socket, 'member:role', { roomId: room.id, userId: mia.user.id, role: 'member' });
    expect(ack.data?.member.role).toBe('member');
    const members = await api<PageDto<MemberDto>>(max, 'GET', `/v1/rooms/${room.id}/members`);
    expect(members.body.items.find((m) => m.userId === mia.user.id)?.role).toBe('member');
    const entries = await log(owner, room.id);
    expect(entries.map((e) => [e.action, e.actorId, e.targetUserId, e.details.role])).toEqual([
      ['member.role', admin.user.id, mia.user.id, 'member'],
      ['member.role', owner.user.id, mia.user.id, 'moderator'],
    ]);
  });
});

describe('mutes', () => {
  it('refuses a muted member’s sends with forbidden and details.mutedUntil until the mute ends, then accepts them', async () => {
    const [mod, mia] = await Promise.all([member('Mod'), member('Mia')]);
    const room = await publicRoom([mod, mia]);
    await promote(room.id, mod);
    const muted = await api<MemberDto>(mod, 'PUT', `/v1/rooms/${room.id}/members/${mia.user.id}/mute`, {
      durationSeconds: 600,
      reason: 'flooding',
    });
    expect(muted.status, JSON.stringify(muted.body)).toBe(200);
    const until = Date.parse(muted.body.mutedUntil!);
    expect(until).toBeGreaterThan(Date.now() + 590_000);

    const refused = await send(mia, room.id);
    expectStatus(refused, 403, 'forbidden');
    expect(replyError(refused.body)?.details).toEqual({ mutedUntil: muted.body.mutedUntil });
    const socket = await open(mia);
    const ack = await request(socket, 'message:send', { roomId: room.id, clientId: randomUUID(), text: 'over the socket' });
    expect(ack.error).toMatchObject({ code: 'forbidden', details: { mutedUntil: muted.body.mutedUntil } });
    // Reading is still allowed.
    expect((await api(mia, 'GET', `/v1/rooms/${room.id}/messages`)).status).toBe(200);

    // The mute runs out.
    await server
      .db('memberships')
      .where({ roomId: room.id, userId: mia.user.id })
      .update({ mutedUntil: new Date(Date.now() - 1000) });
    expect((await send(mia, room.id, 'free again')).status).toBe(201);

    // Muted again, then unmuted over the socket: accepted at once.
    const modSocket = await open(mod);
    const again = await request<{ member: MemberDto }>(modSocket, 'moderation:mute', {
      roomId: room.id,
      userId: mia.user.id,
      durationSeconds: 60,
    });
    expect(again.data?.member.mutedUntil).not.toBeNull();
    expectStatus(await send(mia, room.id), 403, 'forbidden');
    const lifted = await request<{ member: MemberDto }>(modSocket, 'moderation:unmute', { roomId: room.id, userId: mia.user.id });
    expect(lifted.data?.member.mutedUntil).toBeNull();
    expect((await send(mia, room.id)).status).toBe(201);

    const entries = await log(owner, room.id);
    expect(entries.map((e) => e.action)).toEqual(['member.unmuted', 'member.muted', 'member.muted', 'member.role']);
    expect(entries[2]).toMatchObject({
      actorId: mod.user.id,
      targetUserId: mia.user.id,
      reason: 'flooding',
      details: { until: muted.body.mutedUntil },
    });
  });

  it('keeps moderators from muting the owner or another moderator, while owners and staff outrank them', async () => {
    const [mod, mod2] = await Promise.all([member('Mod'), member('Mod2')]);
    const room = await publicRoom([mod, mod2]);
    await promote(room.id, mod);
    await promote(room.id, mod2);
    const mute = (actor: AuthSessionDto, target: AuthSessionDto) =>
      api(actor, 'PUT', `/v1/rooms/${room.id}/members/${target.user.id}/mute`, { durationSeconds: 60 });
    expectStatus(await mute(mod, owner), 403, 'forbidden');
    expectStatus(await mute(mod, mod2), 403, 'forbidden');
    expectStatus(await mute(mod, mod), 403, 'forbidden');
    expectStatus(await mute(owner, owner), 403, 'forbidden');
    expect((await mute(owner, mod2)).status).toBe(200);
    // Staff outrank the owner, from outside the (public) room too; the owner cannot mute an agent who joined.
    expect((await mute(agent, owner)).status).toBe(200);
    expectStatus(await mute(owner, agent), 404, 'not_found');
    expect((await api(agent, 'POST', `/v1/rooms/${room.id}/members`, { userId: agent.user.id })).status).toBe(200);
    expectStatus(await mute(owner, agent), 403, 'forbidden');
    expect((await mute(admin, agent)).status).toBe(200);
  });
});

describe('slow mode', () => {
  it('refuses a member’s second message within N seconds with rate_limited, lets owners, moderators and staff through', async () => {
    const [mod, mia] = await Promise.all([member('Mod'), member('Mia')]);
    const room = await publicRoom([mod, mia]);
    await promote(room.id, mod);
    expect((await api(admin, 'POST', `/v1/rooms/${room.id}/members`, { userId: admin.user.id })).status).toBe(200);
    const watcher = await open(mia);
    await request(watcher, 'room:join', { roomId: room.id });
    const updated = waitFor<RoomDto>(watcher, 'room:updated', (r) => r.id === room.id && r.slowModeSeconds === 30);
    const set = await api<RoomDto>(mod, 'PUT', `/v1/rooms/${room.id}/slow-mode`, { seconds: 30 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.slowModeSeconds).toBe(30);
    await updated;

    expect((await send(mia, room.id, 'first')).status).toBe(201);
    const second = await send(mia, room.id, 'second');
    expectStatus(second, 429, 'rate_limited');
    const details = replyError(second.body)?.details as { retryAfterMs: number; slowModeSeconds: number };
    expect(details.slowModeSeconds).toBe(30);
    expect(details.retryAfterMs).toBeGreaterThan(25_000);
    expect(details.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(second.headers.get('retry-after')).toBe(String(Math.ceil(details.retryAfterMs / 1000)));

    for (const exempt of [owner, mod, admin]) {
      for (const text of ['one', 'two']) expect((await send(exempt, room.id, text)).status).toBe(201);
    }

    // The wait runs out (simulated): one message goes, and of two sent at once only one.
    await server
      .db('memberships')
      .where({ roomId: room.id, userId: mia.user.id })
      .update({ lastPostedAt: new Date(Date.now() - 31_000) });
    const socket = await open(mia);
    const acks = await Promise.all(
      ['a', 'b'].map((text) => request(socket, 'message:send', { roomId: room.id, clientId: randomUUID(), text })),
    );
    expect(acks.filter((a) => a.data).length).toBe(1);
    expect(acks.find((a) => a.error)?.error).toMatchObject({ code: 'rate_limited', details: { slowModeSeconds: 30 } });

    // Off again: no wait.
    const off = await request<{ room: RoomDto }>(await open(owner), 'room:slow-mode', { roomId: room.id, seconds: 0 });
    expect(off.data?.room.slowModeSeconds).toBe(0);
    expect((await send(mia, room.id)).status).toBe(201);
    expect((await log(admin, room.id)).filter((e) => e.action === 'room.slow_mode').map((e) => e.details.seconds)).toEqual([0, 30]);
  });
});

describe('who may moderate', () => {
  interface Scene {
    room: RoomDto;
    target: AuthSessionDto;
    message: MessageDto;
  }
  const base = (s: Scene) => `/v1/rooms/${s.room.id}`;
  const target = (s: Scene) => `${base(s)}/members/${s.target.user.id}`;
  const ACTIONS: {
    name: string;
    roles: ('owner' | 'moderator' | 'admin')[];
    run: (who: AuthSessionDto, s: Scene) => Promise<ApiResponse>;
  }[] = [
    { name: 'role', roles: ['owner', 'admin'], run: (w, s) => api(w, 'PUT', `${target(s)}/role`, { role: 'moderator' }) },
    { name: 'mute', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'PUT', `${target(s)}/mute`, { durationSeconds: 60 }) },
    { name: 'unmute', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'DELETE', `${target(s)}/mute`) },
    { name: 'kick', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'POST', `${target(s)}/kick`, { reason: 'bye' }) },
    {
      name: 'ban',
      roles: ['owner', 'moderator', 'admin'],
      run: (w, s) => api(w, 'PUT', `${base(s)}/bans/${s.target.user.id}`, { durationSeconds: 3600 }),
    },
    {
      name: 'unban',
      roles: ['owner', 'moderator', 'admin'],
      run: async (w, s) => {
        await server.db('room_bans').insert({ roomId: s.room.id, userId: s.target.user.id }).onConflict(['room_id', 'user_id']).ignore();
        return api(w, 'DELETE', `${base(s)}/bans/${s.target.user.id}`);
      },
    },
    { name: 'list bans', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'GET', `${base(s)}/bans`) },
    { name: 'slow mode', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'PUT', `${base(s)}/slow-mode`, { seconds: 5 }) },
    { name: 'read log', roles: ['owner', 'moderator', 'admin'], run: (w, s) => api(w, 'GET', `${base(s)}/moderation-log`) },
    {
      name: "delete another's message",
      roles: ['owner', 'moderator', 'admin'],
      run: (w, s) => api(w, 'DELETE', `/v1/messages/${s.message.id}?reason=spam`),
    },
  ];

  async function scene(): Promise<Scene & { moderator: AuthSessionDto; plain: AuthSessionDto }> {
    const [moderator, plain, targetUser] = await Promise.all([member('Mod'), member('Plain'), member('Target')]);
    const room = await publicRoom([moderator, plain, targetUser]);
    await promote(room.id, moderator);
    const message = (await send(targetUser, room.id, 'to be removed')).body;
    return { room, target: targetUser, message, moderator, plain };
  }

  it('refuses every action to a plain member and a guest (forbidden) and to another app’s admin (not_found)', async () => {
    const s = await scene();
    const guest = await server.guest(tenant, 'Visitor');
    expect((await api(guest, 'POST', `/v1/rooms/${s.room.id}/members`, { userId: guest.user.id })).status).toBe(200);
    for (const action of ACTIONS) {
      for (const [who, status, code] of [
        [s.plain, 403, 'forbidden'],
        [guest, 403, 'forbidden'],
        [otherAdmin, 404, 'not_found'],
      ] as const) {
        const res = await action.run(who, s);
        expect({ action: action.name, who: who.user.name, status: res.status, code: replyError(res.body)?.code }).toEqual({
          action: action.name,
          who: who.user.name,
          status,
          code,
        });
      }
    }
    // The moderator may not hand out roles.
    expectStatus(await ACTIONS[0]!.run(s.moderator, s), 403, 'forbidden');
    // Nothing happened.
    expect((await api<MessageDto>(owner, 'GET', `/v1/rooms/${s.room.id}/messages`)).body).toMatchObject({
      items: [{ id: s.message.id, deletedAt: null }],
    });
    expect(await log(owner, s.room.id)).toHaveLength(1); // the promotion
  });

  it('allows each action to the roles that have it', async () => {
    for (const role of ['owner', 'moderator', 'admin'] as const) {
      for (const action of ACTIONS.filter((a) => a.roles.includes(role))) {
        const s = await scene();
        const who = role === 'owner' ? owner : role === 'admin' ? admin : s.moderator;
        const res = await action.run(who, s);
        expect({ action: action.name, role, status: res.status < 300 }, JSON.stringify(res.body)).toEqual({
          action: action.name,
          role,
          status: true,
        });
      }
    }
  });

  it('refuses moderation in direct rooms', async () => {
    const mia = await member('Mia');
    const direct = await api<RoomDto>(owner, 'POST', '/v1/rooms/direct', { userId: mia.user.id });
    const path = `/v1/rooms/${direct.body.id}`;
    expectStatus(await api(owner, 'PUT', `${path}/members/${mia.user.id}/mute`, { durationSeconds: 60 }), 403, 'forbidden');
    expectStatus(await api(owner, 'PUT', `${path}/slow-mode`, { seconds: 5 }), 403, 'forbidden');
    expectStatus(await api(owner, 'PUT', `${path}/bans/${mia.user.id}`, {}), 403, 'forbidden');
    expectStatus(await api(owner, 'PUT', `${path}/members/${mia.user.id}/role`, { role: 'moderator' }), 403, 'forbidden');
  });
});

describe('the audit log', () => {
  it('records each action with who, what, whom, when and why, for owners, moderators and staff only', async () => {
    const [mod, mia, max] = await Promise.all([member('Mod'), member('Mia'), member('Max')]);
    const room = await publicRoom([mod, mia, max]);
    await promote(room.id, mod);
    const message = (await send(mia, room.id, 'rude words')).body;
    const watcher = await open(max);
    await request(watcher, 'room:join', { roomId: room.id });
    const target = await open(mia);
    const heard = waitFor<ModerationEntryDto>(watcher, 'room:moderation', (e) => e.action === 'message.deleted');
    const told = waitFor<ModerationEntryDto>(target, 'room:moderation', (e) => e.action === 'member.kicked');
    const started = Date.now() - 1000;

    const deleted = await request<{ message: MessageDto }>(await open(mod), 'message:delete', { messageId: message.id, reason: 'rude' });
    expect(deleted.data?.message.deletedAt).not.toBeNull();
    expect(await heard).toMatchObject({ messageId: message.id, targetUserId: mia.user.id, reason: 'rude', actorId: mod.user.id });
    // A member removes their own message without a log line.
    const own = (await send(max, room.id, 'oops')).body;
    expect((await api(max, 'DELETE', `/v1/messages/${own.id}`)).status).toBe(200);
    expectStatus(await api(max, 'DELETE', `/v1/messages/${(await send(mia, room.id)).body.id}`), 403, 'forbidden');

    expect((await api(mod, 'POST', `/v1/rooms/${room.id}/members/${mia.user.id}/kick`, { reason: 'rudeness' })).status).toBe(204);
    expect(await told).toMatchObject({ targetUserId: mia.user.id, reason: 'rudeness' });
    const ban = await api<RoomBanDto>(owner, 'PUT', `/v1/rooms/${room.id}/bans/${max.user.id}`, { reason: 'again' });
    expect(ban.body).toMatchObject({ userId: max.user.id, bannedBy: owner.user.id, reason: 'again', expiresAt: null });

    const entries = await log(admin, room.id);
    expect(entries.map((e) => [e.action, e.actor?.id, e.target?.id, e.reason])).toEqual([
      ['member.banned', owner.user.id, max.user.id, 'again'],
      ['member.kicked', mod.user.id, mia.user.id, 'rudeness'],
      ['message.deleted', mod.user.id, mia.user.id, 'rude'],
      ['member.role', owner.user.id, mod.user.id, null],
    ]);
    for (const e of entries) {
      expect(e.roomId).toBe(room.id);
      expect(Date.parse(e.createdAt)).toBeGreaterThan(started);
    }
    expect(entries[2]!.messageId).toBe(message.id);
    // Paged.
    const first = await api<PageDto<ModerationEntryDto>>(owner, 'GET', `/v1/rooms/${room.id}/moderation-log?limit=3`);
    const rest = await api<PageDto<ModerationEntryDto>>(
      owner,
      'GET',
      `/v1/rooms/${room.id}/moderation-log?cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.items, ...rest.body.items].map((e) => e.id)).toEqual(entries.map((e) => e.id));

    const plain = await member('Plain');
    expect((await api(plain, 'POST', `/v1/rooms/${room.id}/members`, { userId: plain.user.id })).status).toBe(200);
    expectStatus(await api(plain, 'GET', `/v1/rooms/${room.id}/moderation-log`), 403, 'forbidden');
    expectStatus(await api(plain, 'GET', '/v1/moderation/log'), 403, 'forbidden');
    expectStatus(await api(otherAdmin, 'GET', `/v1/rooms/${room.id}/moderation-log`), 404, 'not_found');
    expectStatus(await api(otherAdmin, 'GET', `/v1/moderation/log?roomId=${room.id}`), 404, 'not_found');
    // The app's log, for staff, filtered by room.
    const app = await api<PageDto<ModerationEntryDto>>(agent, 'GET', `/v1/moderation/log?roomId=${room.id}&limit=100`);
    expect(app.body.items.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect((await api<PageDto<ModerationEntryDto>>(otherAdmin, 'GET', '/v1/moderation/log')).body.items).toEqual([]);
  });

  it('keeps app-wide bans in the app log only for admins', async () => {
    const mia = await member('Mia');
    const ban = await api<UserBanDto>(admin, 'PUT', `/v1/moderation/bans/${mia.user.id}`, { reason: 'spam', durationSeconds: 600 });
    expect(ban.status, JSON.stringify(ban.body)).toBe(200);
    const entries = (await api<PageDto<ModerationEntryDto>>(admin, 'GET', '/v1/moderation/log')).body.items;
    expect(entries[0]).toMatchObject({
      action: 'user.banned',
      roomId: null,
      actorId: admin.user.id,
      targetUserId: mia.user.id,
      reason: 'spam',
    });
    expect(entries[0]!.details.until).toBe(ban.body.expiresAt);
  });
});
