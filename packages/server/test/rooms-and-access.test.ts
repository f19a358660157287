import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  MemberDto,
  MessageDto,
  PageDto,
  ReactionDto,
  ReadStateDto,
  ReceiptDto,
  RoomDto,
  RoomListItemDto,
  UserDto,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

type ReactionUpdate = { roomId: string; messageId: string; reactions: ReactionDto[] };

function call<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

async function createRoom(
  owner: AuthSessionDto,
  options: { kind?: 'group' | 'public'; name?: string; slug?: string; memberIds?: string[] } = {},
): Promise<RoomDto> {
  const res = await call<RoomDto>(owner, 'POST', '/v1/rooms', { name: 'Team', ...options });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function send(session: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await call<MessageDto>(session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

const thumbsUp = encodeURIComponent('👍');

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(() => server?.close());

describe('tenancy', () => {
  let appA: App;
  let appB: App;
  let userA: AuthSessionDto;
  let adminA: AuthSessionDto;
  let ownerB: AuthSessionDto;
  let memberB: AuthSessionDto;
  let groupB: RoomDto;
  let publicB: RoomDto;
  let messageB: MessageDto;

  beforeAll(async () => {
    appA = await server.createTenant();
    appB = await server.createTenant();
    // The same host user id in both apps: each app gets its own user.
    userA = await server.member(appA, 'shared-ext');
    adminA = await server.member(appA, 'admin-a', { role: 'admin' });
    ownerB = await server.member(appB, 'shared-ext');
    memberB = await server.member(appB, 'member-b');
    groupB = await createRoom(ownerB, { name: 'B private', slug: 'b-private', memberIds: [memberB.user.id] });
    publicB = await createRoom(ownerB, { kind: 'public', name: 'B lobby', slug: 'b-lobby' });
    messageB = await send(ownerB, groupB.id, 'secret of B');
    await send(ownerB, publicB.id, 'hello B lobby');
    expect((await call(ownerB, 'PUT', `/v1/messages/${messageB.id}/reactions/${thumbsUp}`)).status).toBe(200);
  });

  it('answers 404 to a user (even an admin) of app A on every room and message route of app B, and writes nothing', async () => {
    const before = {
      rooms: await server.db('rooms').whereIn('id', [groupB.id, publicB.id]).orderBy('id'),
      memberships: await server.db('memberships').whereIn('roomId', [groupB.id, publicB.id]).orderBy(['roomId', 'userId']),
      messages: await server.db('messages').whereIn('roomId', [groupB.id, publicB.id]).orderBy(['roomId', 'seq']),
      reactions: await server.db('reactions').where({ messageId: messageB.id }).orderBy(['userId', 'emoji']),
    };

    for (const intruder of [userA, adminA]) {
      for (const room of [groupB, publicB]) {
        const attempts: [string, string, unknown?][] = [
          ['GET', `/v1/rooms/${room.id}`],
          ['PATCH', `/v1/rooms/${room.id}`, { name: 'hijacked' }],
          ['GET', `/v1/rooms/${room.id}/messages`],
          ['POST', `/v1/rooms/${room.id}/messages`, { clientId: randomUUID(), text: 'intrusion' }],
          ['POST', `/v1/rooms/${room.id}/read`, { seq: 1 }],
          ['GET', `/v1/rooms/${room.id}/receipts`],
          ['GET', `/v1/rooms/${room.id}/members`],
          ['POST', `/v1/rooms/${room.id}/members`, { userId: intruder.user.id }],
          ['POST', `/v1/rooms/${room.id}/members`, { userIds: [intruder.user.id, memberB.user.id] }],
          ['DELETE', `/v1/rooms/${room.id}/members/${memberB.user.id}`],
        ];
        for (const [method, path, body] of attempts) {
          const res = await call(intruder, method, path, body);
          expect({ method, path, status: res.status, code: replyError(res.body)?.code }).toEqual({
            method,
            path,
            status: 404,
            code: 'not_found',
          });
        }
      }
      const messageAttempts: [string, string, unknown?][] = [
        ['PATCH', `/v1/messages/${messageB.id}`, { text: 'rewritten by A' }],
        ['PUT', `/v1/messages/${messageB.id}/reactions/${thumbsUp}`],
        ['PUT', `/v1/messages/${messageB.id}/reactions/${encodeURIComponent('🔥')}`],
        ['DELETE', `/v1/messages/${messageB.id}/reactions/${thumbsUp}`],
        ['DELETE', `/v1/messages/${messageB.id}`],
      ];
      for (const [method, path, body] of messageAttempts) {
        const res = await call(intruder, method, path, body);
        expect({ method, path, status: res.status, code: replyError(res.body)?.code }).toEqual({
          method,
          path,
          status: 404,
          code: 'not_found',
        });
      }
    }

    const after = {
      rooms: await server.db('rooms').whereIn('id', [groupB.id, publicB.id]).orderBy('id'),
      memberships: await server.db('memberships').whereIn('roomId', [groupB.id, publicB.id]).orderBy(['roomId', 'userId']),
      messages: await server.db('messages').whereIn('roomId', [groupB.id, publicB.id]).orderBy(['roomId', 'seq']),
      reactions: await server.db('reactions').where({ messageId: messageB.id }).orderBy(['userId', 'emoji']),
    };
    expect(after).toEqual(before);
    expect(
      after.messages
        .map((m: { roomId: string; text: string; deletedAt: unknown; editedAt: unknown }) => [m.roomId, m.text, m.deletedAt, m.editedAt])
        .sort(),
    ).toEqual(
      [
        [groupB.id, 'secret of B', null, null],
        [publicB.id, 'hello B lobby', null, null],
      ].sort(),
    );
    expect(after.memberships.map((m: { userId: string }) => m.userId)).not.toContain(userA.user.id);
    expect(after.memberships.map((m: { userId: string }) => m.userId)).not.toContain(adminA.user.id);
    expect(after.rooms.map((r: { name: string }) => r.name).sort()).toEqual(['B lobby', 'B private']);
    expect(after.reactions).toHaveLength(1);
    expect(await server.db('messages').whereIn('senderId', [userA.user.id, adminA.user.id])).toEqual([]);
  });

  it("never lists app B's users or rooms in app A's GET /v1/users and GET /v1/rooms", async () => {
    const roomA = await createRoom(userA, { name: 'A room' });
    const bIds = [ownerB.user.id, memberB.user.id];
    for (const viewer of [userA, adminA]) {
      const all = await call<PageDto<UserDto>>(viewer, 'GET', '/v1/users?limit=100');
      expect(all.status).toBe(200);
      for (const u of all.body.items) expect(bIds).not.toContain(u.id);
      // Both apps have a user named "User shared-ext": only A's comes back.
      const search = await call<PageDto<UserDto>>(viewer, 'GET', '/v1/users?q=shared-ext');
      expect(search.body.items.map((u) => u.id)).toEqual(viewer === userA ? [] : [userA.user.id]);
      const search2 = await call<PageDto<UserDto>>(viewer, 'GET', '/v1/users?q=member-b');
      expect(search2.body.items).toEqual([]);
    }
    const rooms = await call<PageDto<RoomListItemDto>>(userA, 'GET', '/v1/rooms?limit=100');
    expect(rooms.status).toBe(200);
    expect(rooms.body.items.map((r) => r.id)).toEqual([roomA.id]);
    const adminRooms = await call<PageDto<RoomListItemDto>>(adminA, 'GET', '/v1/rooms?limit=100');
    expect(adminRooms.body.items.map((r) => r.id)).not.toContain(groupB.id);
    expect(adminRooms.body.items.map((r) => r.id)).not.toContain(publicB.id);
  });
});

describe('room access', () => {
  let tenant: App;
  let owner: AuthSessionDto;
  let member: AuthSessionDto;
  let outsider: AuthSessionDto;

  beforeAll(async () => {
    tenant = await server.createTenant();
    owner = await server.member(tenant, 'owner');
    member = await server.member(tenant, 'member');
    outsider = await server.member(tenant, 'outsider');
  });

  it('forbids a non-member of a private group room from reading, sending, details, members, receipts and joining', async () => {
    const room = await createRoom(owner, { name: 'Private', memberIds: [member.user.id] });
    await send(owner, room.id, 'members only');

    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');
    expectError(
      await call(outsider, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: randomUUID(), text: 'let me in' }),
      403,
      'forbidden',
    );
    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}`), 403, 'forbidden');
    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}/members`), 403, 'forbidden');
    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}/receipts`), 403, 'forbidden');
    expectError(await call(outsider, 'POST', `/v1/rooms/${room.id}/read`, { seq: 1 }), 403, 'forbidden');
    expectError(await call(outsider, 'POST', `/v1/rooms/${room.id}/members`, { userId: outsider.user.id }), 403, 'forbidden');
    expectError(await call(outsider, 'POST', `/v1/rooms/${room.id}/members`, { userIds: [outsider.user.id] }), 403, 'forbidden');

    expect(await server.db('memberships').where({ roomId: room.id, userId: outsider.user.id })).toEqual([]);
    expect(await server.db('messages').where({ roomId: room.id }).pluck('text')).toEqual(['members only']);
    const rooms = await call<PageDto<RoomListItemDto>>(outsider, 'GET', '/v1/rooms');
    expect(rooms.body.items.map((r) => r.id)).not.toContain(room.id);
  });

  it('shows a public room to non-members but lets them read and send only after joining, guests included', async () => {
    const room = await createRoom(owner, { kind: 'public', name: 'Lobby' });
    await send(owner, room.id, 'welcome');

    const details = await call<RoomDto>(outsider, 'GET', `/v1/rooms/${room.id}`);
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ id: room.id, kind: 'public', name: 'Lobby', memberCount: 1, membership: null });
    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');
    expectError(await call(outsider, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: randomUUID(), text: 'hi?' }), 403, 'forbidden');
    // Joining is for yourself: a non-member cannot bring someone else along.
    expectError(await call(outsider, 'POST', `/v1/rooms/${room.id}/members`, { userId: member.user.id }), 403, 'forbidden');

    const joined = await call<PageDto<MemberDto>>(outsider, 'POST', `/v1/rooms/${room.id}/members`, { userId: outsider.user.id });
    expect(joined.status).toBe(200);
    expect(joined.body.items.map((m) => [m.userId, m.role])).toEqual([
      [owner.user.id, 'owner'],
      [outsider.user.id, 'member'],
    ]);
    const history = await call<PageDto<MessageDto>>(outsider, 'GET', `/v1/rooms/${room.id}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((m) => m.text)).toEqual(['welcome']);
    await send(outsider, room.id, 'glad to be here');

    const guest = await server.guest(tenant, 'Visiting Vera');
    expect((await call(guest, 'GET', `/v1/rooms/${room.id}`)).status).toBe(200);
    expectError(await call(guest, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');
    const guestJoin = await call<PageDto<MemberDto>>(guest, 'POST', `/v1/rooms/${room.id}/members`, { userId: guest.user.id });
    expect(guestJoin.status).toBe(200);
    expect(guestJoin.body.items.map((m) => m.userId)).toContain(guest.user.id);
    const guestHistory = await call<PageDto<MessageDto>>(guest, 'GET', `/v1/rooms/${room.id}/messages`);
    expect(guestHistory.body.items.map((m) => m.text)).toEqual(['welcome', 'glad to be here']);
    const afterJoin = await call<RoomDto>(outsider, 'GET', `/v1/rooms/${room.id}`);
    expect(afterJoin.body.memberCount).toBe(3);
  });

  it('forbids guests from creating rooms and direct rooms', async () => {
    const guest = await server.guest(tenant, 'Guest Gus');
    expectError(await call(guest, 'POST', '/v1/rooms', { name: 'Guest room' }), 403, 'forbidden');
    expectError(await call(guest, 'POST', '/v1/rooms', { name: 'Guest lobby', kind: 'public' }), 403, 'forbidden');
    expectError(await call(guest, 'POST', '/v1/rooms/direct', { userId: owner.user.id }), 403, 'forbidden');
    expect(await server.db('memberships').where({ userId: guest.user.id })).toEqual([]);
    expect(await server.db('rooms').where({ createdBy: guest.user.id })).toEqual([]);
  });

  it('lets the owner add and remove members; a plain member can only leave; unknown users are 422', async () => {
    const extra = await server.member(tenant, `extra-${randomUUID()}`);
    const room = await createRoom(owner, { name: 'Managed', memberIds: [member.user.id] });

    const added = await call<PageDto<MemberDto>>(owner, 'POST', `/v1/rooms/${room.id}/members`, { userId: outsider.user.id });
    expect(added.status).toBe(200);
    expect(added.body.items.map((m) => m.userId).sort()).toEqual([owner.user.id, member.user.id, outsider.user.id].sort());
    expect(added.body.items.find((m) => m.userId === outsider.user.id)).toMatchObject({ role: 'member', user: { id: outsider.user.id } });
    expect((await call(outsider, 'GET', `/v1/rooms/${room.id}/messages`)).status).toBe(200);

    // A plain member can neither add nor remove other people.
    expectError(await call(member, 'POST', `/v1/rooms/${room.id}/members`, { userId: extra.user.id }), 403, 'forbidden');
    expectError(await call(member, 'DELETE', `/v1/rooms/${room.id}/members/${outsider.user.id}`), 403, 'forbidden');
    expectError(await call(member, 'DELETE', `/v1/rooms/${room.id}/members/${owner.user.id}`), 403, 'forbidden');
    expect((await server.db('memberships').where({ roomId: room.id })).length).toBe(3);

    const removed = await call(owner, 'DELETE', `/v1/rooms/${room.id}/members/${outsider.user.id}`);
    expect(removed.status).toBe(204);
    expectError(await call(outsider, 'GET', `/v1/rooms/${room.id}/messages`), 403, 'forbidden');

    const left = await call(member, 'DELETE', `/v1/rooms/${room.id}/members/${member.user.id}`);
    expect(left.status).toBe(204);
    expectError(await call(member, 'GET', `/v1/rooms/${room.id}`), 403, 'forbidden');
    expectError(
      await call(member, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: randomUUID(), text: 'still here?' }),
      403,
      'forbidden',
    );

    const unknown = await call(owner, 'POST', `/v1/rooms/${room.id}/members`, { userId: randomUUID() });
    expectError(unknown, 422, 'validation_failed');
    const otherApp = await server.createTenant();
    const stranger = await server.member(otherApp, 'stranger');
    expectError(
      await call(owner, 'POST', `/v1/rooms/${room.id}/members`, { userIds: [extra.user.id, stranger.user.id] }),
      422,
      'validation_failed',
    );
    const remaining = await server.db('memberships').where({ roomId: room.id }).select('userId');
    expect(remaining.map((m: { userId: string }) => m.userId)).toEqual([owner.user.id]);
  });

  it('creates a direct room once, returns it to either side after, and shows the other user as peer', async () => {
    const pia = await server.member(tenant, `pia-${randomUUID()}`, { name: 'Pia' });
    const quinn = await server.member(tenant, `quinn-${randomUUID()}`, { name: 'Quinn' });

    const first = await call<RoomDto>(pia, 'POST', '/v1/rooms/direct', { userId: quinn.user.id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'direct', memberCount: 2, peer: { id: quinn.user.id, name: 'Quinn' } });
    const again = await call<RoomDto>(pia, 'POST', '/v1/rooms/direct', { userId: quinn.user.id });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const otherSide = await call<RoomDto>(quinn, 'POST', '/v1/rooms/direct', { userId: pia.user.id });
    expect(otherSide.status).toBe(200);
    expect(otherSide.body.id).toBe(first.body.id);
    expect(otherSide.body.peer).toMatchObject({ id: pia.user.id, name: 'Pia' });

    const details = await call<RoomDto>(quinn, 'GET', `/v1/rooms/${first.body.id}`);
    expect(details.body.peer?.id).toBe(pia.user.id);
    const list = await call<PageDto<RoomListItemDto>>(pia, 'GET', '/v1/rooms');
    expect(list.body.items.find((r) => r.id === first.body.id)?.peer?.id).toBe(quinn.user.id);
    const rooms = await server
      .db('memberships as m1')
      .join('memberships as m2', 'm1.room_id', 'm2.room_id')
      .join('rooms', 'rooms.id', 'm1.room_id')
      .where({ 'm1.user_id': pia.user.id, 'm2.user_id': quinn.user.id, 'rooms.kind': 'direct' })
      .select('rooms.id');
    expect(rooms).toEqual([{ id: first.body.id }]);

    const self = await call(pia, 'POST', '/v1/rooms/direct', { userId: pia.user.id });
    expectError(self, 422, 'validation_failed');
    const otherApp = await server.createTenant();
    const stranger = await server.member(otherApp, `stranger-${randomUUID()}`);
    expectError(await call(pia, 'POST', '/v1/rooms/direct', { userId: stranger.user.id }), 404, 'not_found');
    expectError(await call(stranger, 'POST', '/v1/rooms/direct', { userId: pia.user.id }), 404, 'not_found');
    expectError(await call(pia, 'POST', '/v1/rooms/direct', { userId: randomUUID() }), 404, 'not_found');
    expect(await server.db('memberships').where({ userId: stranger.user.id })).toEqual([]);
  });
});

describe('GET /v1/users', () => {
  let tenant: App;
  let caller: AuthSessionDto;
  let agent: AuthSessionDto;
  let dora: AuthSessionDto;
  let alice: AuthSessionDto;
  let alicia: AuthSessionDto;

  beforeAll(async () => {
    tenant = await server.createTenant();
    caller = await server.member(tenant, 'caller', { name: 'Alison Caller' });
    agent = await server.member(tenant, 'agent', { name: 'Agnes Agent', role: 'agent', email: 'agnes@example.com' });
    dora = await server.member(tenant, 'dora', { name: 'Dora Explorer', email: 'dora@example.com' });
    alice = await server.member(tenant, 'alice', { name: 'Alice Zephyr' });
    alicia = await server.member(tenant, 'alicia', { name: 'alicia keys' });
    for (let i = 0; i < 4; i++) await server.member(tenant, `same-${i}`, { name: 'Same Name' });
    for (let i = 0; i < 5; i++) await server.member(tenant, `filler-${i}`, { name: `Filler ${String.fromCharCode(90 - i)}` });
    await server.guest(tenant, 'Alice Guest');
    await server.guest(tenant, 'Guest 100%');
  });

  const list = async (session: AuthSessionDto, query: string) => {
    const res = await call<PageDto<UserDto>>(session, 'GET', `/v1/users?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('lists the members of the app except the caller and guests', async () => {
    const page = await list(caller, 'limit=100');
    const ids = page.items.map((u) => u.id);
    expect(ids).not.toContain(caller.user.id);
    expect(page.items.every((u) => u.kind === 'member')).toBe(true);
    const expected = await server.db('users').where({ appId: tenant.id, kind: 'member' }).whereNot('id', caller.user.id).pluck('id');
    expect(ids.sort()).toEqual(expected.sort());
    expect(ids).toHaveLength(13);
    expect(page.hasMore).toBe(false);
  });

  it('searches names case-insensitively, never matching the caller or guests', async () => {
    const found = await list(caller, `q=${encodeURIComponent('ALI')}`);
    expect(found.items.map((u) => u.id).sort()).toEqual([alice.user.id, alicia.user.id].sort());
    const lower = await list(caller, 'q=zephyr');
    expect(lower.items.map((u) => u.id)).toEqual([alice.user.id]);
    const full = await list(caller, `q=${encodeURIComponent('alice zephyr')}`);
    expect(full.items.map((u) => u.id)).toEqual([alice.user.id]);
    expect((await list(caller, 'q=guest')).items).toEqual([]);
  });

  it('treats LIKE wildcards in q as literal characters', async () => {
    expect((await list(caller, `q=${encodeURIComponent('%')}`)).items).toEqual([]);
    expect((await list(caller, `q=${encodeURIComponent('_')}`)).items).toEqual([]);
    expect((await list(caller, `q=${encodeURIComponent('a%e')}`)).items).toEqual([]);
    expect((await list(caller, `q=${encodeURIComponent('\\')}`)).items).toEqual([]);
    const percent = await server.member(tenant, 'percent', { name: '50% Off' });
    const underscore = await server.member(tenant, 'underscore', { name: 'snake_case' });
    expect((await list(caller, `q=${encodeURIComponent('%')}`)).items.map((u) => u.id)).toEqual([percent.user.id]);
    expect((await list(caller, `q=${encodeURIComponent('0% o')}`)).items.map((u) => u.id)).toEqual([percent.user.id]);
    expect((await list(caller, `q=${encodeURIComponent('_')}`)).items.map((u) => u.id)).toEqual([underscore.user.id]);
    await server.db('users').whereIn('id', [percent.user.id, underscore.user.id]).delete();
  });

  it('paginates with limit and nextCursor, returning each user exactly once', async () => {
    const all = await list(caller, 'limit=100');
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(caller, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.id));
      if (page.hasMore) expect(page.nextCursor).toBeTruthy();
      else expect(page.nextCursor).toBeUndefined();
      cursor = page.hasMore ? page.nextCursor : undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.items.map((u) => u.id));
    expect(seen).toHaveLength(13);
    expect(pages).toBe(7);

    // Pages of a search keep to the search.
    const same: string[] = [];
    let searchCursor: string | undefined;
    do {
      const page = await list(caller, `q=same&limit=3${searchCursor ? `&cursor=${encodeURIComponent(searchCursor)}` : ''}`);
      same.push(...page.items.map((u) => u.id));
      searchCursor = page.hasMore ? page.nextCursor : undefined;
    } while (searchCursor);
    expect(same).toHaveLength(4);
    expect(new Set(same).size).toBe(4);
  });

  it('shows emails to agents only, not to plain users', async () => {
    const asAgent = await list(agent, 'limit=100');
    expect(asAgent.items.find((u) => u.id === dora.user.id)?.email).toBe('dora@example.com');
    expect(asAgent.items.find((u) => u.id === caller.user.id)).toHaveProperty('email');

    const asUser = await list(caller, 'limit=100');
    for (const u of asUser.items) {
      expect(u).not.toHaveProperty('email');
      expect(u).not.toHaveProperty('externalId');
    }
    expect(JSON.stringify(asUser)).not.toContain('@example.com');
    // Nor can a plain user find people by their email.
    expect((await list(caller, 'q=dora%40example')).items).toEqual([]);
    expect((await list(caller, 'q=example.com')).items).toEqual([]);
    expect((await list(agent, 'q=dora%40example')).items.map((u) => u.id)).toEqual([dora.user.id]);
  });
});

describe('GET /v1/rooms and read state', () => {
  let tenant: App;
  let reader: AuthSessionDto;
  let writer: AuthSessionDto;
  let idle: AuthSessionDto;

  beforeAll(async () => {
    tenant = await server.createTenant();
    reader = await server.member(tenant, 'reader');
    writer = await server.member(tenant, 'writer');
    idle = await server.member(tenant, 'idle');
  });

  const myRooms = async (session: AuthSessionDto) => {
    const res = await call<PageDto<RoomListItemDto>>(session, 'GET', '/v1/rooms?limit=100');
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('sorts rooms by latest activity with lastMessage and unreadCount, and keeps read watermarks monotonic and bounded', async () => {
    const roomA = await createRoom(reader, { name: 'A', memberIds: [writer.user.id] });
    const roomB = await createRoom(reader, { name: 'B', memberIds: [writer.user.id, idle.user.id] });
    const roomC = await createRoom(reader, { name: 'C' });
    expect((await myRooms(reader)).map((r) => r.id)).toEqual([roomC.id, roomB.id, roomA.id]);

    await send(reader, roomA.id, 'my own note');
    let rooms = await myRooms(reader);
    expect(rooms.map((r) => r.id)).toEqual([roomA.id, roomC.id, roomB.id]);
    expect(rooms[0]).toMatchObject({ lastMessage: { text: 'my own note', seq: 1 }, unreadCount: 0 });
    expect(rooms[1]).toMatchObject({ lastMessage: null, unreadCount: 0 });

    for (const text of ['one', 'two', 'three']) await send(writer, roomB.id, text);
    rooms = await myRooms(reader);
    expect(rooms.map((r) => r.id)).toEqual([roomB.id, roomA.id, roomC.id]);
    expect(rooms[0]).toMatchObject({ lastSeq: 3, unreadCount: 3, lastMessage: { text: 'three', seq: 3, senderId: writer.user.id } });
    expect((await myRooms(writer)).find((r) => r.id === roomB.id)?.unreadCount).toBe(0);

    const read = async (seq: number) => {
      const res = await call<ReadStateDto>(reader, 'POST', `/v1/rooms/${roomB.id}/read`, { seq });
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await read(2)).toMatchObject({ roomId: roomB.id, userId: reader.user.id, seq: 2 });
    expect((await myRooms(reader)).find((r) => r.id === roomB.id)?.unreadCount).toBe(1);
    expect((await read(3)).seq).toBe(3);
    expect((await myRooms(reader)).find((r) => r.id === roomB.id)?.unreadCount).toBe(0);
    // Never backwards.
    expect((await read(1)).seq).toBe(3);
    expect((await read(0)).seq).toBe(3);
    // Never past the last message: the next message from someone else is unread.
    expect((await read(99)).seq).toBe(3);
    const stored = await server.db('memberships').where({ roomId: roomB.id, userId: reader.user.id }).first();
    expect([Number(stored.readSeq), Number(stored.deliveredSeq)]).toEqual([3, 3]);
    await send(writer, roomB.id, 'four');
    rooms = await myRooms(reader);
    expect(rooms.find((r) => r.id === roomB.id)).toMatchObject({ unreadCount: 1, lastMessage: { text: 'four', seq: 4 } });

    const receipts = await call<PageDto<ReceiptDto>>(writer, 'GET', `/v1/rooms/${roomB.id}/receipts`);
    expect(receipts.status).toBe(200);
    expect(receipts.body.hasMore).toBe(false);
    const byUser = Object.fromEntries(receipts.body.items.map((r) => [r.userId, [r.deliveredSeq, r.readSeq]]));
    expect(byUser).toEqual({
      [reader.user.id]: [3, 3],
      [writer.user.id]: [4, 4],
      [idle.user.id]: [0, 0],
    });
  });

  it('pages through GET /v1/rooms returning every room exactly once, even when activity times share a millisecond', async () => {
    const pager = await server.member(tenant, `pager-${randomUUID()}`);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createRoom(pager, { name: `Page ${i}` })).id);
    // Activity times a few microseconds apart, as concurrent sends into different rooms produce.
    const times = [
      '2031-01-01T00:00:00.000900Z',
      '2031-01-01T00:00:00.000700Z',
      '2031-01-01T00:00:00.000500Z',
      '2031-01-01T00:00:00.000300Z',
      '2031-01-01T00:00:00.000100Z',
      '2031-01-01T00:00:00.000000Z',
    ];
    for (let i = 0; i < ids.length; i++) {
      await server
        .db('rooms')
        .where({ id: ids[i] })
        .update({ lastMessageAt: server.db.raw('?::timestamptz', [itemAt(times, i)]) });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await call<PageDto<RoomListItemDto>>(
        pager,
        'GET',
        `/v1/rooms?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r) => r.id));
      cursor = res.body.hasMore ? res.body.nextCursor : undefined;
      pages++;
    } while (cursor && pages < 10);
    const unpaged = await call<PageDto<RoomListItemDto>>(pager, 'GET', '/v1/rooms?limit=100');
    expect(unpaged.body.items.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(seen).toEqual(unpaged.body.items.map((r) => r.id));
    expect(pages).toBe(3);
  });
});

describe('editing, deleting and reactions', () => {
  let tenant: App;
  let author: AuthSessionDto;
  let peer: AuthSessionDto;
  let room: RoomDto;

  beforeAll(async () => {
    tenant = await server.createTenant();
    author = await server.member(tenant, 'author');
    peer = await server.member(tenant, 'peer');
    room = await createRoom(author, { name: 'Edits', memberIds: [peer.user.id] });
  });

  it("lets the sender edit and delete their own message, keeps the tombstone's seq, and refuses edits to it", async () => {
    const first = await send(author, room.id, 'first draft');
    const second = await send(peer, room.id, 'a reply');

    const edited = await call<MessageDto>(author, 'PATCH', `/v1/messages/${first.id}`, { text: 'final text' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: first.id, seq: first.seq, text: 'final text', deletedAt: null });
    expect(edited.body.editedAt).not.toBeNull();
    expect(Date.parse(edited.body.editedAt!)).toBeGreaterThanOrEqual(Date.parse(first.createdAt));

    expectError(await call(peer, 'PATCH', `/v1/messages/${first.id}`, { text: 'not yours' }), 403, 'forbidden');
    expectError(await call(peer, 'DELETE', `/v1/messages/${first.id}`), 403, 'forbidden');
    expect(await server.db('messages').where({ id: first.id }).first('text', 'deletedAt')).toEqual({ text: 'final text', deletedAt: null });

    const deleted = await call<MessageDto>(author, 'DELETE', `/v1/messages/${first.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: first.id, seq: first.seq, text: '', attachments: [], reactions: [] });
    expect(deleted.body.deletedAt).not.toBeNull();

    const history = await call<PageDto<MessageDto>>(peer, 'GET', `/v1/rooms/${room.id}/messages?after=${first.seq - 1}`);
    expect(history.body.items.map((m) => [m.id, m.seq, m.text, m.deletedAt !== null])).toEqual([
      [first.id, first.seq, '', true],
      [second.id, second.seq, 'a reply', false],
    ]);
    expect((await server.db('messages').where({ id: first.id }).first('text')).text).toBe('');

    expectError(await call(author, 'PATCH', `/v1/messages/${first.id}`, { text: 'resurrected' }), 409, 'conflict');
    expect((await server.db('messages').where({ id: first.id }).first('text')).text).toBe('');
  });

  it('adds reactions idempotently per user, counts each user once, removes them, and 404s a non-emoji path', async () => {
    const message = await send(author, room.id, 'react to me');
    const path = `/v1/messages/${message.id}/reactions/${thumbsUp}`;

    const once = await call<ReactionUpdate>(author, 'PUT', path);
    expect(once.status).toBe(200);
    expect(once.body).toEqual({
      roomId: room.id,
      messageId: message.id,
      version: expect.any(Number),
      reactions: [{ emoji: '👍', count: 1, userIds: [author.user.id] }],
    });
    const twice = await call<ReactionUpdate>(author, 'PUT', path);
    expect(twice.status).toBe(200);
    expect(twice.body.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [author.user.id] }]);

    const second = await call<ReactionUpdate>(peer, 'PUT', path);
    expect(second.body.reactions).toHaveLength(1);
    expect(itemAt(second.body.reactions, 0).emoji).toBe('👍');
    expect(itemAt(second.body.reactions, 0).count).toBe(2);
    expect([...itemAt(second.body.reactions, 0).userIds].sort()).toEqual([author.user.id, peer.user.id].sort());

    const heart = await call<ReactionUpdate>(peer, 'PUT', `/v1/messages/${message.id}/reactions/${encodeURIComponent('❤️')}`);
    expect(heart.status).toBe(200);
    expect(heart.body.reactions.map((r) => [r.emoji, r.count])).toEqual([
      ['👍', 2],
      ['❤️', 1],
    ]);

    const history = await call<PageDto<MessageDto>>(author, 'GET', `/v1/rooms/${room.id}/messages?after=${message.seq - 1}&limit=1`);
    expect(itemAt(history.body.items, 0).reactions.map((r) => [r.emoji, r.count])).toEqual([
      ['👍', 2],
      ['❤️', 1],
    ]);

    const removed = await call<ReactionUpdate>(author, 'DELETE', path);
    expect(removed.status).toBe(200);
    expect(removed.body.reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [peer.user.id] },
      { emoji: '❤️', count: 1, userIds: [peer.user.id] },
    ]);
    expect(await server.db('reactions').where({ messageId: message.id, userId: author.user.id })).toEqual([]);

    // A path param that fails validation names nothing that exists: 404 (src/http/route.ts).
    expectError(await call(author, 'PUT', `/v1/messages/${message.id}/reactions/abc`), 404, 'not_found');
    expectError(await call(author, 'DELETE', `/v1/messages/${message.id}/reactions/abc`), 404, 'not_found');
    expect(
      await server
        .db('reactions')
        .where({ messageId: message.id })
        .count('* as n')
        .first()
        .then((r) => Number(r!.n)),
    ).toBe(2);
  });
});

describe('PATCH /v1/rooms/:id', () => {
  it('renames for the owner only and keeps slugs unique per app', async () => {
    const tenant = await server.createTenant();
    const other = await server.createTenant();
    const owner = await server.member(tenant, 'owner');
    const member = await server.member(tenant, 'member');
    const room = await createRoom(owner, { name: 'Old name', slug: 'product-news', memberIds: [member.user.id] });
    const second = await createRoom(owner, { name: 'Second', slug: 'second-room' });

    const renamed = await call<RoomDto>(owner, 'PATCH', `/v1/rooms/${room.id}`, { name: 'New name' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: room.id, name: 'New name', slug: 'product-news' });
    expect((await call<RoomDto>(member, 'GET', `/v1/rooms/${room.id}`)).body.name).toBe('New name');

    expectError(await call(member, 'PATCH', `/v1/rooms/${room.id}`, { name: 'Member was here' }), 403, 'forbidden');
    expectError(await call(member, 'PATCH', `/v1/rooms/${room.id}`, { slug: 'mine-now' }), 403, 'forbidden');
    expect(await server.db('rooms').where({ id: room.id }).first('name', 'slug')).toEqual({ name: 'New name', slug: 'product-news' });

    const clashes = [
      await call(owner, 'PATCH', `/v1/rooms/${second.id}`, { slug: 'product-news' }),
      await call(owner, 'POST', '/v1/rooms', { name: 'Dup', slug: 'product-news' }),
    ];
    expect(clashes.map((r) => [r.status, replyError(r.body)?.code])).toEqual([
      [409, 'conflict'],
      [409, 'conflict'],
    ]);
    expect((await server.db('rooms').where({ id: second.id }).first('slug')).slug).toBe('second-room');

    const elsewhere = await server.member(other, 'owner');
    const otherRoom = await createRoom(elsewhere, { name: 'Other app news', slug: 'product-news' });
    expect(otherRoom.slug).toBe('product-news');
    const otherSecond = await createRoom(elsewhere, { name: 'Other second' });
    const moved = await call<RoomDto>(elsewhere, 'PATCH', `/v1/rooms/${otherSecond.id}`, { slug: 'second-room' });
    expect(moved.status).toBe(200);
    expect(moved.body.slug).toBe('second-room');

    // Freeing a slug lets another room of the app take it.
    expect((await call<RoomDto>(owner, 'PATCH', `/v1/rooms/${room.id}`, { slug: null })).body.slug).toBeNull();
    expect((await call<RoomDto>(owner, 'PATCH', `/v1/rooms/${second.id}`, { slug: 'product-news' })).body.slug).toBe('product-news');
  });
});
