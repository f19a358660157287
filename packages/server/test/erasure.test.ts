import { randomBytes, randomUUID } from 'node:crypto';

import type {
  AttachmentDto,
  AuthSessionDto,
  ErasureDto,
  MessageDto,
  PageDto,
  RoomDto,
  SupportSearchResultDto,
  UserDto,
  UserErasedEvent,
} from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

/**
 * Erasure (`DELETE /v1/me`, the operator's `DELETE /v1/admin/apps/:id/users/:userId`): the proof
 * each kind of person gives, and what is left afterwards: no API, search, cache or export returns
 * their text or profile, the rooms' seqs have no gap, and a run stopped halfway is finished by
 * housekeeping.
 */

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const PASSWORD = 'Erase-me-please-42';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('erasure', () => {
  let server: TestServer;
  let tenant: App;
  let other: App;
  const sockets: ClientSocket[] = [];

  const api = <T = unknown>(who: AuthSessionDto | string, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: typeof who === 'string' ? who : who.accessToken, body });
  const operator = <T = unknown>(method: string, path: string) => server.request<T>(method, path, { token: ADMIN_TOKEN });
  const hostToken = (externalId: string, issuedSecondsAgo = 0, secret = tenant.secret) =>
    jwt.sign({ iat: Math.floor(Date.now() / 1000) - issuedSecondsAgo }, secret, {
      algorithm: 'HS256',
      subject: externalId,
      audience: tenant.id,
      expiresIn: '1h',
    });
  const say = async (who: AuthSessionDto, roomId: string, text: string, attachments?: string[]) => {
    const res = await api<MessageDto>(who, 'POST', `/v1/rooms/${roomId}/messages`, { text, clientId: randomUUID(), attachments });
    expectStatus(res, 201);
    return res.body;
  };
  const group = async (owner: AuthSessionDto, members: AuthSessionDto[]) => {
    const res = await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'group', name: 'Room', memberIds: members.map((m) => m.user.id) });
    expectStatus(res, 201);
    return res.body;
  };
  /** `n` messages of `senderId` written straight into the room, numbered as sends number them. */
  const bulk = async (roomId: string, senderId: string, n: number, text: string) => {
    await server.db.raw(
      `with r as (update rooms set last_seq = last_seq + ?, version = version + ? where id = ? returning last_seq, version)
       insert into messages (room_id, seq, version, created_version, sender_id, client_id, text, type)
       select ?, r.last_seq - ? + g, r.version - ? + g, r.version - ? + g, ?, 'bulk-' || g || '-' || ?, ? || ' ' || g, 'text'
       from r, generate_series(1, ?) g`,
      [n, n, roomId, roomId, n, n, n, senderId, randomUUID(), text, n],
    );
    // Written behind the caches' backs: they must not answer for the room.
    await server.app.services.roomCache.invalidate({ roomIds: [roomId] });
  };
  const countOf = async (query: Knex.QueryBuilder) => Number(((await query.count({ n: '*' }).first()) as { n: number | string }).n);
  const seqsOf = async (roomId: string) => (await server.db('messages').where({ roomId }).orderBy('seq').pluck('seq')).map(Number);
  const lastSeqOf = async (roomId: string) => Number((await server.db('rooms').where({ id: roomId }).first('last_seq')).lastSeq);
  const expectGapFree = async (roomId: string) => {
    const seqs = await seqsOf(roomId);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(await lastSeqOf(roomId)).toBe(seqs.length);
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { ADMIN_TOKEN } });
    tenant = await server.createTenant();
    other = await server.createTenant();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  describe('proof', () => {
    it('takes the password of a member who has one, and refuses a wrong one or none', async () => {
      const username = `pw${randomBytes(3).toString('hex')}`;
      const registered = await server.request<AuthSessionDto>('POST', '/v1/auth/register', {
        app: tenant.id,
        body: { username, password: PASSWORD, name: 'Paula Password', email: `${username}@example.com` },
      });
      expectStatus(registered, 201);
      const paula = registered.body;
      expectStatus(await api(paula, 'DELETE', '/v1/me', { password: 'not-the-password' }), 403, 'forbidden');
      expectStatus(await api(paula, 'DELETE', '/v1/me', {}), 403, 'forbidden');
      expectStatus(await api(paula, 'DELETE', '/v1/me', { token: hostToken(username) }), 403, 'forbidden');
      expectStatus(await api(paula, 'DELETE', '/v1/me', { password: PASSWORD, token: 'x' }), 422, 'validation_failed');
      const done = await api<ErasureDto>(paula, 'DELETE', '/v1/me', { password: PASSWORD });
      expectStatus(done, 200);
      expect(done.body).toMatchObject({ userId: paula.user.id, status: 'done' });
      expect(done.body.finishedAt).not.toBeNull();
      // Their sessions are gone, and so is the way back in.
      expectStatus(await api(paula, 'GET', '/v1/me'), 401);
      const login = await server.request('POST', '/v1/auth/login', { app: tenant.id, body: { username, password: PASSWORD } });
      expectStatus(login, 401);
      const row = await server.db('users').where({ id: paula.user.id }).first();
      expect(row).toMatchObject({ name: 'Deleted user', username: null, email: null, passwordHash: null, externalId: null });
      expect(row.erasedAt).not.toBeNull();
    });

    it('takes a fresh host-signed token for the member’s own external id; refuses a stale one, or another’s', async () => {
      const externalId = `ext-tok-${randomBytes(3).toString('hex')}`;
      const tom = await server.member(tenant, externalId, { name: 'Tom Token' });
      const stale = hostToken(externalId, LIMITS.erasureTokenMaxAgeSeconds + 60);
      expectStatus(await api(tom, 'DELETE', '/v1/me', { token: stale }), 403, 'forbidden');
      expectStatus(await api(tom, 'DELETE', '/v1/me', { token: hostToken('someone-else') }), 403, 'forbidden');
      expectStatus(await api(tom, 'DELETE', '/v1/me', { token: hostToken(externalId, 0, other.secret) }), 403, 'forbidden');
      expectStatus(await api(tom, 'DELETE', '/v1/me', {}), 403, 'forbidden');
      const done = await api<ErasureDto>(tom, 'DELETE', '/v1/me', { token: hostToken(externalId) });
      expectStatus(done, 200);
      expect(done.body.status).toBe('done');
      // The same external id signing in again is a new person, not the erased one.
      const again = await server.member(tenant, externalId);
      expect(again.user.id).not.toBe(tom.user.id);
    });

    it('answers rate_limited past 5 attempts an hour, so a password cannot be guessed', async () => {
      const externalId = `ext-rate-${randomBytes(3).toString('hex')}`;
      const rita = await server.member(tenant, externalId);
      for (let i = 0; i < 5; i++) expectStatus(await api(rita, 'DELETE', '/v1/me', { token: hostToken('nobody') }), 403, 'forbidden');
      expectStatus(await api(rita, 'DELETE', '/v1/me', { token: hostToken(externalId) }), 429, 'rate_limited');
      expect((await server.db('users').where({ id: rita.user.id }).first()).erasedAt).toBeNull();
    });

    it('lets a guest erase themselves with their session alone', async () => {
      const guest = await server.guest(tenant, 'Gus Guest');
      const done = await api<ErasureDto>(guest, 'DELETE', '/v1/me');
      expectStatus(done, 200);
      expect(done.body.status).toBe('done');
      expectStatus(await api(guest, 'GET', '/v1/me'), 401);
    });

    it('gives the operator the same, idempotent; another app’s user or an unknown one is not_found', async () => {
      const olga = await server.member(tenant, `ext-op-${randomBytes(3).toString('hex')}`, { name: 'Olga Operated' });
      const strangerOfOther = await server.member(other, 'ext-else');
      expectStatus(await server.request('DELETE', `/v1/admin/apps/${tenant.id}/users/${olga.user.id}`), 401);
      expectStatus(await operator('DELETE', `/v1/admin/apps/${tenant.id}/users/${strangerOfOther.user.id}`), 404, 'not_found');
      expectStatus(await operator('DELETE', `/v1/admin/apps/${tenant.id}/users/${randomUUID()}`), 404, 'not_found');
      const first = await operator<ErasureDto>('DELETE', `/v1/admin/apps/${tenant.id}/users/${olga.user.id}`);
      expectStatus(first, 200);
      expect(first.body.status).toBe('done');
      const second = await operator<ErasureDto>('DELETE', `/v1/admin/apps/${tenant.id}/users/${olga.user.id}`);
      expectStatus(second, 200);
      expect(second.body).toEqual(first.body);
      expectStatus(await api(olga, 'GET', '/v1/me'), 401);
      const entries = await server.db('moderation_log').where({ targetUserId: olga.user.id }).select('action', 'actor_id', 'room_id');
      expect(entries).toEqual([{ action: 'user.erased', actorId: null, roomId: null }]);
    });
  });

  it('leaves nothing of a person with 2,000 messages in two rooms: no API, search, cache or export returns them', async () => {
    const externalId = `ext-eve-${randomBytes(3).toString('hex')}`;
    const eve = await server.member(tenant, externalId, { name: 'Eve', lastName: 'Uniquename', email: 'eve.secret@example.com' });
    const bob = await server.member(tenant, `ext-bob-${randomBytes(3).toString('hex')}`, { name: 'Bob' });
    const agent = await server.member(tenant, `ext-agent-${randomBytes(3).toString('hex')}`, { name: 'Agnes', role: 'agent' });
    const [roomA, roomB] = [await group(bob, [eve]), await group(eve, [bob])];

    await say(bob, roomA.id, 'bob opens A');
    await bulk(roomA.id, eve.user.id, 1000, 'evesecret A');
    await say(bob, roomB.id, 'bob opens B');
    await bulk(roomB.id, eve.user.id, 997, 'evesecret B');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'eve-file.png');
    const uploaded = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${eve.accessToken}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as AttachmentDto;
    const withFile = await say(eve, roomA.id, 'evesecret with a file', [file.id]);
    await say(eve, roomB.id, 'evesecret live B');
    const bobs = await say(bob, roomA.id, 'bob replies');
    await say(eve, roomA.id, 'evesecret last word');
    expectStatus(await api(eve, 'PUT', `/v1/messages/${bobs.id}/reactions/${encodeURIComponent('👍')}`), 200);
    const conversation = await api(eve, 'POST', '/v1/support/conversations', { text: 'evesecret please help me', clientId: randomUUID() });
    expectStatus(conversation, 201);
    await server.db('user_blocks').insert({ blockerId: eve.user.id, blockedId: agent.user.id });
    const eveMessages = 2000;
    expect(await countOf(server.db('messages').where({ senderId: eve.user.id, type: 'text' }))).toBe(eveMessages + 1);

    // Before: each read below does show her (so each check after can fail).
    const firstPage = await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${roomA.id}/messages`);
    expect(firstPage.body.items.some((m) => m.text === 'evesecret last word')).toBe(true);
    expect((await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${roomA.id}/messages`)).body.items.at(-1)?.text).toBe(
      'evesecret last word',
    );
    expect((await api<PageDto<UserDto>>(bob, 'GET', '/v1/users?q=Uniquename')).body.items.map((u) => u.id)).toEqual([eve.user.id]);
    const searchFor = async (q: string) =>
      (await api<PageDto<SupportSearchResultDto>>(agent, 'GET', `/v1/support/search?q=${encodeURIComponent(q)}`)).body.items;
    expect(await searchFor('evesecret')).toHaveLength(1);
    expect(await searchFor('Uniquename')).toHaveLength(1);
    const fileUrl = withFile.attachments[0]!.url;
    expect((await fetch(`${server.url}${fileUrl}`, { headers: { authorization: `Bearer ${bob.accessToken}` } })).status).toBe(200);
    expectStatus(await api(eve, 'GET', '/v1/me/messages'), 200);

    const watcher = await connect(server, bob);
    sockets.push(watcher);
    await call(watcher, 'room:join', { roomId: roomA.id });
    const erased = collect<UserErasedEvent>(watcher, 'user:erased');
    const eveSocket = await connect(server, eve);
    sockets.push(eveSocket);
    const eveClosed = new Promise<void>((resolve) => eveSocket.once('disconnect', () => resolve()));

    const started = performance.now();
    const done = await api<ErasureDto>(eve, 'DELETE', '/v1/me', { token: hostToken(externalId) });
    expectStatus(done, 200);
    expect(done.body).toMatchObject({ userId: eve.user.id, status: 'done' });
    console.log(`erased ${eveMessages} messages in ${Math.round(performance.now() - started)} ms`);

    // Live: the room hears it, and her own socket is closed.
    await until('user:erased at the other member', () => erased.find((e) => e.roomId === roomA.id && e.userId === eve.user.id));
    await eveClosed;

    // Her session is gone.
    expectStatus(await api(eve, 'GET', '/v1/me/messages'), 401);
    // Rooms: no text of hers in the first page (the cache) nor any older page; her name is gone; seq has no gap.
    for (const roomId of [roomA.id, roomB.id]) {
      let page = (await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${roomId}/messages`)).body;
      const seen: MessageDto[] = [...page.items];
      while (page.hasMore) {
        page = (await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${roomId}/messages?before=${page.items[0]!.seq}&limit=100`)).body;
        seen.push(...page.items);
      }
      const hers = seen.filter((m) => m.senderId === eve.user.id);
      expect(hers.length).toBeGreaterThan(990);
      for (const m of hers) {
        expect(m.text).toBe('');
        expect(m.deletedAt).not.toBeNull();
        expect(m.attachments).toEqual([]);
        expect(m.sender?.name).toBe('Deleted user');
        expect(m.sender?.lastName).toBeNull();
      }
      expect(JSON.stringify(seen)).not.toMatch(/evesecret|Uniquename/);
      await expectGapFree(roomId);
    }
    const bobsNow = (await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${roomA.id}/messages`)).body.items.find((m) => m.id === bobs.id);
    expect(bobsNow?.reactions).toEqual([]);
    expect(await countOf(server.db('messages').where({ senderId: eve.user.id }).whereNot('text', ''))).toBe(0);
    // Directory, support search (her messages and her name), her upload, her blocks.
    expect((await api<PageDto<UserDto>>(bob, 'GET', '/v1/users?q=Uniquename')).body.items).toEqual([]);
    expect((await api<PageDto<UserDto>>(bob, 'GET', '/v1/users?q=Deleted')).body.items).toEqual([]);
    expect(await searchFor('evesecret')).toEqual([]);
    expect(await searchFor('Uniquename')).toEqual([]);
    expect(await searchFor('eve.secret@example.com')).toEqual([]);
    expect((await fetch(`${server.url}${fileUrl}`, { headers: { authorization: `Bearer ${bob.accessToken}` } })).status).toBe(404);
    expect(await server.db('attachments').where({ uploaderId: eve.user.id }).first()).toBeUndefined();
    expect(await server.db('user_blocks').where({ blockerId: eve.user.id }).first()).toBeUndefined();
    // The operator's export holds the anonymised profile and tombstones only.
    const exported = await fetch(`${server.url}/v1/admin/apps/${tenant.id}/users/${eve.user.id}/export`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(exported.status).toBe(200);
    const archive = await exported.text();
    expect(archive).not.toMatch(/evesecret|Uniquename|eve\.secret|eve-file/);
    const parsed = JSON.parse(archive) as { profile: UserDto; messages: { text: string }[] };
    expect(parsed.profile).toMatchObject({ name: 'Deleted user', lastName: null, email: null, externalId: null, metadata: {} });
    expect(parsed.messages.length).toBeGreaterThanOrEqual(eveMessages);
    expect(parsed.messages.every((m) => m.text === '')).toBe(true);

    // A second request changes nothing and answers the same.
    const again = await operator<ErasureDto>('DELETE', `/v1/admin/apps/${tenant.id}/users/${eve.user.id}`);
    expectStatus(again, 200);
    expect(again.body).toEqual(done.body);
    expect(await countOf(server.db('moderation_log').where({ targetUserId: eve.user.id, action: 'user.erased' }))).toBe(1);
  });

  it('finishes an erasure stopped halfway on the next housekeeping run', async () => {
    const frank = await server.member(tenant, `ext-frank-${randomBytes(3).toString('hex')}`, { name: 'Frank', lastName: 'Halfway' });
    const bob = await server.member(tenant, `ext-bob2-${randomBytes(3).toString('hex')}`, { name: 'Bob' });
    const room = await group(bob, [frank]);
    await say(bob, room.id, 'before');
    await bulk(room.id, frank.user.id, 1200, 'franksecret');
    await say(frank, room.id, 'franksecret live');
    const texts = async () => countOf(server.db('messages').where({ senderId: frank.user.id }).whereNot('text', ''));
    expect(await texts()).toBe(1201);

    // The intent committed, then the run stops after two batches (as a crash there would).
    await server.db('user_erasures').insert({ userId: frank.user.id, appId: tenant.id, requestedBy: 'operator' });
    expect(await server.app.services.erasure.run(frank.user.id, { maxBatches: 2 })).toBe(false);
    const left = await texts();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(1201);
    expect((await server.db('user_erasures').where({ userId: frank.user.id }).first()).finishedAt).toBeNull();
    expectStatus(await api(frank, 'GET', '/v1/me'), 401);
    expect((await server.db('users').where({ id: frank.user.id }).first()).name).toBe('Deleted user');
    // The room's first page is already without the tombstoned texts.
    const page = (await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${room.id}/messages`)).body.items;
    expect(page.filter((m) => m.senderId === frank.user.id).every((m) => m.text === '')).toBe(true);

    await server.app.housekeeping.run();
    expect(await texts()).toBe(0);
    expect((await server.db('user_erasures').where({ userId: frank.user.id }).first()).finishedAt).not.toBeNull();
    await expectGapFree(room.id);
    const status = await operator<ErasureDto>('DELETE', `/v1/admin/apps/${tenant.id}/users/${frank.user.id}`);
    expect(status.body.status).toBe('done');
  });
});
