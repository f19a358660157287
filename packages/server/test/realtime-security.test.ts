import { randomUUID } from 'node:crypto';

import { type Ack, type AuthSessionDto, ERROR_STATUS, LIMITS, type MessageDto, type RoomDto, type RoomJoinResult } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, type ConnectOptions, request, settle, waitFor } from './helpers/sockets.js';

let server: TestServer;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => server?.close());

const TRANSPORTS = [['websocket'], ['polling']] as const;

/** A connected socket that afterEach closes. */
async function open(session: AuthSessionDto | null, options: ConnectOptions = {}): Promise<ClientSocket> {
  const socket = await connect(server, session, options);
  sockets.push(socket);
  return socket;
}

type Handshake = { accepted: true } | { accepted: false; code: string | undefined; message: string; description: unknown };

/** Tries a handshake; an accepted socket is closed at once. */
async function handshake(session: AuthSessionDto | null, options: ConnectOptions = {}): Promise<Handshake> {
  try {
    const socket = await connect(server, session, options);
    socket.close();
    return { accepted: true };
  } catch (err) {
    const e = err as Error & { data?: { code?: string }; description?: unknown };
    return { accepted: false, code: e.data?.code, message: e.message, description: e.description };
  }
}

/** The Engine.IO polling handshake as a browser would send it: the refusal's status and reason. */
async function rawHandshake(app: string | null, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling${app ? `&app=${app}` : ''}`, { headers });
  return { status: res.status, body: await res.text() };
}

interface AccessClaims {
  sub: string;
  app: string;
  role: string;
  kind: string;
  sid: string;
  exp: number;
}

/** The claims the server put into a session's access token. */
function claimsOf(session: AuthSessionDto): AccessClaims {
  return jwt.decode(session.accessToken) as AccessClaims;
}

/** An access token with the server's claims for this session, expiring at `exp` (seconds). */
function accessToken(session: AuthSessionDto, exp: number, secret = server.config.jwtSecret): string {
  const { sub, app, role, kind, sid } = claimsOf(session);
  return jwt.sign({ sub, app, role, kind, sid, exp }, secret, { algorithm: 'HS256', issuer: 'confab', audience: 'confab-api' });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function createRoom(owner: AuthSessionDto, body: Record<string, unknown>): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { name: 'Room', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function postMessage(sender: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
    token: sender.accessToken,
    body: { clientId: randomUUID(), text },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function expectRefusal(ack: Ack<unknown>, code: string, what: string): void {
  expect({ what, data: ack.data, code: ack.error?.code }).toEqual({ what, data: undefined, code });
  expect(typeof ack.error?.message, what).toBe('string');
}

// ---------------------------------------------------------------------------------------------
// 1. Handshake
// ---------------------------------------------------------------------------------------------

it('refuses a handshake without a token, with garbage or a forged one (other key, alg none, HS512, audience, issuer, host)', async () => {
  const tenant = await server.createTenant();
  const ana = await server.member(tenant, 'ana');
  const { sub, app, role, kind, sid } = claimsOf(ana);
  const claims = { app, role, kind, sid };
  const exp = nowSeconds() + 600;
  const secret = server.config.jwtSecret;
  const forged: Record<string, string> = {
    garbage: 'not-a-jwt',
    'garbage with dots': 'a.b.c',
    'other secret': jwt.sign({ ...claims, exp }, 'another-secret-entirely-0123456789', {
      algorithm: 'HS256',
      subject: sub,
      issuer: 'confab',
      audience: 'confab-api',
    }),
    'alg none': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, sub, exp, iss: 'confab', aud: 'confab-api' })}.`,
    'HS512 with the right secret': jwt.sign({ ...claims, exp }, secret, {
      algorithm: 'HS512',
      subject: sub,
      issuer: 'confab',
      audience: 'confab-api',
    }),
    'wrong audience': jwt.sign({ ...claims, exp }, secret, { algorithm: 'HS256', subject: sub, issuer: 'confab', audience: tenant.id }),
    'wrong issuer': jwt.sign({ ...claims, exp }, secret, {
      algorithm: 'HS256',
      subject: sub,
      issuer: 'someone-else',
      audience: 'confab-api',
    }),
    'no sid': jwt.sign({ app, role, kind, exp }, secret, { algorithm: 'HS256', subject: sub, issuer: 'confab', audience: 'confab-api' }),
    // The host site's own token is for /v1/auth/exchange, never a Confab access token.
    'host-signed': jwt.sign({ name: 'Ana' }, tenant.secret, { algorithm: 'HS256', subject: 'ana', audience: tenant.id, expiresIn: '1h' }),
  };

  expect(await handshake(null), 'no token').toMatchObject({ accepted: false, code: 'unauthorized' });
  for (const [what, token] of Object.entries(forged)) {
    expect({ what, ...(await handshake(null, { token })) }).toMatchObject({ what, accepted: false, code: 'unauthorized' });
  }
  // (A well-signed token of a session that ended is refused from the registry of ended sessions,
  // without a query: handshake-without-db.test.ts.) Control: the session's real token is accepted.
  expect(await handshake(ana)).toEqual({ accepted: true });
});

it('refuses an expired access token of a real session with token_expired', async () => {
  const tenant = await server.createTenant();
  const ana = await server.member(tenant, 'ana');
  const expired = accessToken(ana, nowSeconds() - 30);
  expect(await handshake(null, { token: expired })).toMatchObject({ accepted: false, code: 'token_expired' });
  expect(await handshake(null, { token: expired, app: tenant.id })).toMatchObject({ accepted: false, code: 'token_expired' });
});

it('refuses a valid token of app B on a handshake naming app A with forbidden', async () => {
  const appA = await server.createTenant(['https://shop.example']);
  const appB = await server.createTenant(['https://shop.example']);
  const bob = await server.member(appB, 'bob');
  expect(await handshake(bob, { app: appA.id })).toMatchObject({ accepted: false, code: 'forbidden' });
  for (const transports of TRANSPORTS) {
    // The origin is allowed by app A, so only the app mismatch can refuse it.
    expect({
      transports,
      ...(await handshake(bob, { app: appA.id, origin: 'https://shop.example', transports: [...transports] })),
    }).toMatchObject({ accepted: false, code: 'forbidden' });
  }
  expect(await handshake(bob, { app: appB.id, origin: 'https://shop.example' })).toEqual({ accepted: true });
});

it('refuses a browser Origin the app does not allow, Origin null and an Origin without ?app=, over websocket and polling', async () => {
  const tenant = await server.createTenant(['https://shop.example']);
  const other = await server.createTenant(['https://evil.example']);
  const ana = await server.member(tenant, 'ana');
  const refused = [
    { origin: 'https://evil.example', app: tenant.id },
    { origin: 'https://shop.example.evil.example', app: tenant.id },
    { origin: 'https://evilshop.example', app: tenant.id },
    { origin: 'http://shop.example', app: tenant.id },
    { origin: 'https://shop.example:8443', app: tenant.id },
    { origin: 'null', app: tenant.id },
    { origin: 'null', app: undefined },
    { origin: 'https://shop.example', app: undefined },
    { origin: 'not a url', app: tenant.id },
    { origin: 'https://shop.example/', app: tenant.id },
    { origin: 'https://user@shop.example', app: tenant.id },
  ];
  for (const transports of TRANSPORTS) {
    for (const attempt of refused) {
      // A valid token: the origin alone must refuse it.
      const result = await handshake(ana, { ...attempt, transports: [...transports] });
      expect({ transports, ...attempt, accepted: result.accepted }).toEqual({ transports, ...attempt, accepted: false });
      if (transports[0] === 'polling' && !result.accepted) expect(result.description, JSON.stringify({ ...attempt, result })).toBe(403);
    }
    // Naming the app that allows the origin does not help a token of another app.
    expect({
      transports,
      ...(await handshake(ana, { origin: 'https://evil.example', app: other.id, transports: [...transports] })),
    }).toMatchObject({ transports, accepted: false, code: 'forbidden' });
  }
  for (const attempt of refused) {
    expect({ ...attempt, ...(await rawHandshake(attempt.app ?? null, { origin: attempt.origin })) }).toEqual({
      ...attempt,
      status: 403,
      body: JSON.stringify({ code: 4, message: 'origin_not_allowed' }),
    });
  }
});

it('accepts an allowed Origin of the app and a Node client without Origin that has a valid token', async () => {
  const tenant = await server.createTenant(['https://shop.example']);
  const ana = await server.member(tenant, 'ana');
  const room = await createRoom(ana, { name: 'ok' });
  for (const transports of TRANSPORTS) {
    const browser = await open(ana, { origin: 'https://shop.example', app: tenant.id, transports: [...transports] });
    expect((await call<RoomJoinResult>(browser, 'room:join', { roomId: room.id })).room.id).toBe(room.id);
    const node = await open(ana, { transports: [...transports] });
    expect((await call<RoomJoinResult>(node, 'room:join', { roomId: room.id })).room.id).toBe(room.id);
    const named = await open(ana, { app: tenant.id, transports: [...transports] });
    expect(named.connected).toBe(true);
  }
});

it('refuses a cross-site browser request that carries no Origin', async () => {
  const tenant = await server.createTenant(['https://shop.example']);
  const ana = await server.member(tenant, 'ana');
  for (const transports of TRANSPORTS) {
    const socket = ioClient(server.url, {
      auth: { token: ana.accessToken },
      query: { app: tenant.id },
      transports: [...transports],
      extraHeaders: { 'sec-fetch-site': 'cross-site' },
      forceNew: true,
      reconnection: false,
      timeout: 5_000,
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('accepted'));
      socket.once('connect_error', () => resolve('refused'));
    });
    socket.close();
    expect({ transports, outcome }).toEqual({ transports, outcome: 'refused' });
  }
  expect(await rawHandshake(tenant.id, { 'sec-fetch-site': 'cross-site' })).toEqual({
    status: 403,
    body: JSON.stringify({ code: 4, message: 'origin_not_allowed' }),
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Rooms of other tenants and private rooms
// ---------------------------------------------------------------------------------------------

it("refuses every event in another app's room (not_found) or a private room one is not in (forbidden), storing nothing", async () => {
  const appA = await server.createTenant();
  const appB = await server.createTenant();
  const ana = await server.member(appA, 'ana');
  const carl = await server.member(appA, 'carl');
  const dan = await server.member(appA, 'dan');
  const bob = await server.member(appB, 'bob');
  const roomB = await createRoom(bob, { name: 'B private' });
  const lobbyB = await createRoom(bob, { kind: 'public', name: 'B lobby' });
  const privateA = await createRoom(carl, { name: 'A private', memberIds: [dan.user.id] });
  const messageB = await postMessage(bob, roomB.id, 'secret of B');
  const messageA = await postMessage(carl, privateA.id, 'secret of A');

  const snapshot = async () => {
    const ids = [roomB.id, lobbyB.id, privateA.id];
    return {
      rooms: await server.db('rooms').whereIn('id', ids).orderBy('id').select('id', 'lastSeq', 'version'),
      memberships: await server.db('memberships').whereIn('roomId', ids).orderBy(['roomId', 'userId']),
      messages: await server.db('messages').whereIn('roomId', ids).orderBy(['roomId', 'seq']),
      reactions: await server.db('reactions').whereIn('messageId', [messageA.id, messageB.id]),
    };
  };
  const before = await snapshot();

  const bobSocket = await open(bob);
  const carlSocket = await open(carl);
  await call(bobSocket, 'room:join', { roomId: roomB.id });
  await call(carlSocket, 'room:join', { roomId: privateA.id });
  const bobCreated = collect<MessageDto>(bobSocket, 'message:created');
  const carlCreated = collect<MessageDto>(carlSocket, 'message:created');
  const typingSeen = [bobSocket, carlSocket].map((s) => collect(s, 'typing'));

  const ana1 = await open(ana);
  const anaCreated = collect(ana1, 'message:created');
  const anaTyping = collect(ana1, 'typing');
  const nowhere = randomUUID();

  for (const [roomId, code, label] of [
    [roomB.id, 'not_found', 'room of app B'],
    [lobbyB.id, 'not_found', 'public room of app B'],
    [privateA.id, 'forbidden', 'private room of app A'],
  ] as const) {
    expectRefusal(await request(ana1, 'room:join', { roomId }), code, `room:join ${label}`);
    expectRefusal(await request(ana1, 'room:join', { roomId, since: 0 }), code, `room:join since ${label}`);
    expectRefusal(
      await request(ana1, 'message:send', { roomId, clientId: randomUUID(), text: 'intrusion' }),
      code,
      `message:send ${label}`,
    );
    expectRefusal(await request(ana1, 'room:read', { roomId, seq: 1 }), code, `room:read ${label}`);
    // Typing and delivered answer without looking the room up: the same as for a room that does not exist.
    for (const [event, payload] of [
      ['typing', { typing: true }],
      ['room:delivered', { seq: 1 }],
    ] as const) {
      const ack = await request(ana1, event, { roomId, ...payload });
      const unknown = await request(ana1, event, { roomId: nowhere, ...payload });
      expect(['forbidden', 'not_found'], `${event} ${label}`).toContain(ack.error?.code);
      expect({ event, label, code: ack.error?.code, data: ack.data }).toEqual({ event, label, code: unknown.error?.code, data: undefined });
    }
  }
  for (const [message, code, label] of [
    [messageB, 'not_found', 'message of app B'],
    [messageA, 'forbidden', 'message of a private room of app A'],
  ] as const) {
    expectRefusal(await request(ana1, 'message:edit', { messageId: message.id, text: 'defaced' }), code, `message:edit ${label}`);
    expectRefusal(await request(ana1, 'message:delete', { messageId: message.id }), code, `message:delete ${label}`);
    expectRefusal(await request(ana1, 'reaction:add', { messageId: message.id, emoji: '👍' }), code, `reaction:add ${label}`);
    expectRefusal(await request(ana1, 'reaction:remove', { messageId: message.id, emoji: '👍' }), code, `reaction:remove ${label}`);
  }

  // The refused joins left her out of the rooms: their traffic does not reach her.
  const live = waitFor<MessageDto>(carlSocket, 'message:created', (m) => m.roomId === privateA.id);
  await call(bobSocket, 'typing', { roomId: roomB.id, typing: true });
  await postMessage(bob, roomB.id, 'after the attempts');
  await postMessage(dan, privateA.id, 'after the attempts');
  await live;
  await settle(400); // receipts are flushed every 250 ms
  expect({ anaCreated, anaTyping }).toEqual({ anaCreated: [], anaTyping: [] });
  // The members only saw their own rooms' traffic, never anything from her.
  expect(bobCreated.map((m) => [m.roomId, m.text])).toEqual([[roomB.id, 'after the attempts']]);
  expect(carlCreated.map((m) => [m.roomId, m.text])).toEqual([[privateA.id, 'after the attempts']]);
  expect(typingSeen).toEqual([[], []]);

  const after = await snapshot();
  // Only the two messages posted above changed anything.
  expect(after.messages.filter((m: { text: string }) => m.text !== 'after the attempts')).toEqual(before.messages);
  expect(after.reactions).toEqual(before.reactions);
  expect(after.messages.filter((m: { senderId: string }) => m.senderId === ana.user.id)).toEqual([]);
  expect(after.memberships.filter((m: { userId: string }) => m.userId === ana.user.id)).toEqual([]);
  for (const room of after.rooms) {
    const old = before.rooms.find((r: { id: string }) => r.id === room.id)!;
    const added = room.id === lobbyB.id ? 0 : 1;
    expect({ id: room.id, lastSeq: room.lastSeq, version: room.version }).toEqual({
      id: room.id,
      lastSeq: old.lastSeq + added,
      version: old.version + added,
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 3. Token expiry and auth:refresh
// ---------------------------------------------------------------------------------------------

it('disconnects a socket with auth:expired when its token expires, unless auth:refresh gave a fresh token of the user', async () => {
  const tenant = await server.createTenant();
  const ana = await server.member(tenant, 'ana');
  const bob = await server.member(tenant, 'bob');
  const room = await createRoom(ana, { name: 'expiry' });
  const exp = nowSeconds() + 3;
  const deadline = exp * 1000;
  const short = accessToken(ana, exp);

  const expiring = await open(null, { token: short });
  const refreshed = await open(null, { token: short });
  const hijacker = await open(null, { token: short });
  const watch = (socket: ClientSocket) => {
    const seen: { event: string; at: number; payload: unknown }[] = [];
    socket.on('auth:expired', (payload) => seen.push({ event: 'auth:expired', at: Date.now(), payload }));
    socket.on('disconnect', (reason) => seen.push({ event: 'disconnect', at: Date.now(), payload: reason }));
    return seen;
  };
  const seenExpiring = watch(expiring);
  const seenRefreshed = watch(refreshed);
  const seenHijacker = watch(hijacker);
  const gone = [waitFor(expiring, 'disconnect', () => true, 10_000), waitFor(hijacker, 'disconnect', () => true, 10_000)];

  // A fresh token of the same user moves the deadline.
  const fresh = await call<{ expiresAt: string }>(refreshed, 'auth:refresh', { token: ana.accessToken });
  expect(fresh.expiresAt).toBe(new Date(claimsOf(ana).exp * 1000).toISOString());

  // Someone else's token, a forged one, an expired one or one of an ended session: refused, deadline kept.
  expectRefusal(await request(hijacker, 'auth:refresh', { token: bob.accessToken }), 'forbidden', 'refresh with another user');
  expectRefusal(
    await request(hijacker, 'auth:refresh', { token: accessToken(ana, nowSeconds() + 900, 'another-secret') }),
    'unauthorized',
    'refresh with a forged token',
  );
  expectRefusal(
    await request(hijacker, 'auth:refresh', { token: accessToken(ana, nowSeconds() - 10) }),
    'token_expired',
    'refresh with an expired token',
  );
  const ended = await server.member(tenant, 'ana');
  expect(ended.user.id).toBe(ana.user.id);
  expect((await server.request('POST', '/v1/auth/logout', { token: ended.accessToken })).status).toBe(204);
  expectRefusal(await request(hijacker, 'auth:refresh', { token: ended.accessToken }), 'unauthorized', 'refresh with an ended session');

  await Promise.all(gone);
  await settle(Math.max(0, deadline + 800 - Date.now()));

  for (const [name, seen] of [
    ['expiring', seenExpiring],
    ['hijacker', seenHijacker],
  ] as const) {
    expect({ name, events: seen.map((e) => [e.event, e.payload]) }).toEqual({
      name,
      events: [
        ['auth:expired', expect.objectContaining({ code: 'token_expired' })],
        ['disconnect', 'io server disconnect'],
      ],
    });
    // Not before the token's exp (1 s granularity of JWT; small slack for clock rounding).
    expect(itemAt(seen, 0).at, name).toBeGreaterThanOrEqual(deadline - 50);
  }
  expect(seenRefreshed).toEqual([]);
  expect(refreshed.connected).toBe(true);
  expect((await call<RoomJoinResult>(refreshed, 'room:join', { roomId: room.id })).room.id).toBe(room.id);
});

// ---------------------------------------------------------------------------------------------
// 4. Logout
// ---------------------------------------------------------------------------------------------

it("disconnects a session's sockets on logout and keeps the same user's other session connected", async () => {
  const tenant = await server.createTenant();
  const first = await server.member(tenant, 'lou');
  const second = await server.member(tenant, 'lou');
  expect(second.user.id).toBe(first.user.id);
  expect(claimsOf(second).sid).not.toBe(claimsOf(first).sid);
  const room = await createRoom(first, { name: 'logout' });

  const a1 = await open(first);
  const a2 = await open(first, { transports: ['polling'] });
  const b = await open(second);
  const bDisconnects = collect(b, 'disconnect');
  const gone = [waitFor(a1, 'disconnect'), waitFor(a2, 'disconnect')];

  expect((await server.request('POST', '/v1/auth/logout', { token: first.accessToken })).status).toBe(204);
  expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
  await settle(300);
  expect(bDisconnects).toEqual([]);
  expect(b.connected).toBe(true);
  expect((await call<RoomJoinResult>(b, 'room:join', { roomId: room.id })).room.id).toBe(room.id);
  // The ended session cannot come back.
  expect(await handshake(first)).toMatchObject({ accepted: false, code: 'unauthorized' });
});

it('disconnects the sockets of a session whose rotated refresh token is replayed (the family is revoked)', async () => {
  const tenant = await server.createTenant();
  const session = await server.member(tenant, 'reused');
  const socket = await open(session);
  const gone = waitFor(socket, 'disconnect');
  const rotated = await server.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
  expect(rotated.status).toBe(200);
  // Another client replays it (the same one, within seconds, would get the same successor).
  const replayed = await server.request('POST', '/v1/auth/refresh', {
    body: { refreshToken: session.refreshToken },
    headers: { 'user-agent': 'replayer/1.0' },
  });
  expect(replayed.status).toBe(401);
  expect(await gone).toBe('io server disconnect');
  expect(await handshake(null, { token: rotated.body.accessToken })).toMatchObject({ accepted: false, code: 'unauthorized' });
});

it('disconnects on logout a socket that auth:refresh moved to that session (or refuses to move it)', async () => {
  const tenant = await server.createTenant();
  const first = await server.member(tenant, 'mover');
  const second = await server.member(tenant, 'mover');
  expect(second.user.id).toBe(first.user.id);
  const socket = await open(first);
  const moved = await request(socket, 'auth:refresh', { token: second.accessToken });
  if (moved.error) {
    // Also sound: a socket stays with the session it was opened for.
    expect(moved.error.code).toBe('forbidden');
    return;
  }
  // It now holds only the second session's token: ending that session must cut it.
  const gone = waitFor(socket, 'disconnect', () => true, 1_500).catch(() => 'still connected');
  expect((await server.request('POST', '/v1/auth/logout', { token: second.accessToken })).status).toBe(204);
  expect(await gone).toBe('io server disconnect');
});

// ---------------------------------------------------------------------------------------------
// 5. Malformed payloads
// ---------------------------------------------------------------------------------------------

/** Seeded PRNG: the same payloads on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'roomId' | 'messageId' | 'replyTo' | 'seq' | 'since' | 'bool' | 'text' | 'editText' | 'clientId' | 'emoji' | 'token' | 'ids';
type FieldSpec = { kind: Kind; required: boolean };
const req = (kind: Kind): FieldSpec => ({ kind, required: true });
const opt = (kind: Kind): FieldSpec => ({ kind, required: false });

const EVENT_FIELDS: Record<string, Record<string, FieldSpec>> = {
  'room:join': { roomId: req('roomId'), since: opt('since') },
  'room:leave': { roomId: req('roomId') },
  'message:send': { roomId: req('roomId'), clientId: req('clientId'), text: opt('text'), attachments: opt('ids'), replyTo: opt('replyTo') },
  'message:edit': { messageId: req('messageId'), text: req('editText') },
  'message:delete': { messageId: req('messageId') },
  'reaction:add': { messageId: req('messageId'), emoji: req('emoji') },
  'reaction:remove': { messageId: req('messageId'), emoji: req('emoji') },
  typing: { roomId: req('roomId'), typing: req('bool') },
  'room:read': { roomId: req('roomId'), seq: req('seq') },
  'room:delivered': { roomId: req('roomId'), seq: req('seq') },
  'auth:refresh': { token: req('token') },
};

function deep(depth: number, leaf: unknown, array: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

/** An object with an own `__proto__` key (a literal would set the prototype instead). */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

const pollution = () => ({ polluted: 'yes', isAdmin: true });

/** Payloads that must fail the event's schema: at least one field broken on top of a valid base. */
function makePayloads(event: string, valid: Record<string, unknown>, rng: () => number, count: number): unknown[][] {
  const pick = <T>(items: readonly T[]): T => itemAt(items, Math.floor(rng() * items.length));
  const huge = () => pick(['x', 'é', '"', '\u0001']).repeat(100_000 + Math.floor(rng() * 50_000));
  const uuid = randomUUID();
  const notString = [123, 0, -1, 1.5, true, false, {}, [], ['a'], null, { $ne: null }, deep(2_000, 'x', false), deep(2_000, 1, true)];
  const notId = [
    ...notString,
    '',
    ' ',
    'abc',
    'not-a-uuid',
    `${uuid}x`,
    uuid.slice(0, -1),
    `${uuid}\u0000`,
    '\u0000',
    "' OR '1'='1",
    '../../etc/passwd',
    '<script>alert(1)</script>',
    'x'.repeat(5_000),
  ];
  const notInt = [
    -1,
    -0.5,
    1.5,
    'abc',
    'one',
    'NaN',
    'Infinity',
    '1e400',
    true,
    false,
    {},
    [],
    [1],
    null,
    { $gt: 0 },
    2 ** 53 + 2,
    1e300,
    '1; drop table rooms',
  ];
  const notText = [
    123,
    true,
    {},
    [],
    ['hi'],
    null,
    { text: 'hi' },
    'x'.repeat(LIMITS.messageTextMax + 1),
    'é'.repeat(LIMITS.messageTextMax + 1),
    'a\u0000b',
    '\u0000',
    'x'.repeat(20_000),
  ];
  const bad: Record<Kind, readonly unknown[]> = {
    roomId: notId,
    messageId: notId,
    replyTo: notId,
    seq: notInt,
    since: notInt,
    bool: [1, 0, 'yes', 'no', 'on', 'y', 'truthy', {}, [], [true], null, -1, 'true\u0000'],
    text: notText,
    editText: [...notText, '', '   ', '\n\t'],
    clientId: [
      ...notString,
      '',
      '   ',
      'has space',
      'x'.repeat(LIMITS.clientIdMax + 1),
      'ünïcode',
      'tab\tchar',
      'a\u0000b',
      '\u200b',
      '\u007f',
    ],
    emoji: [...notString, '', 'abc', '1', '#', '👍'.repeat(20), '<script>', 'a👍', '👍\u0000', ':+1:', '\u200d'],
    token: [...notString, '', 'x'.repeat(4_097), 'tok\u0000en'],
    ids: [
      'not-an-array',
      42,
      null,
      {},
      [1],
      ['x'],
      [null],
      [{}],
      [uuid, uuid],
      Array.from({ length: LIMITS.attachmentsPerMessageMax + 1 }, () => randomUUID()),
    ],
  };
  const extras: [string, () => unknown][] = [
    ['extra', () => 'field'],
    ['__proto__', pollution],
    ['constructor', () => ({ prototype: pollution() })],
    ['prototype', pollution],
    ['$where', () => 'sleep(1000)'],
    ['toString', () => 'x'],
    ['hasOwnProperty', () => 1],
    ['x'.repeat(300), () => 1],
    ['k\u0000ey', () => 'nul key'],
    ['deep', () => deep(2_000, pollution(), false)],
  ];
  const fields = Object.entries(EVENT_FIELDS[event] ?? {});

  const fixed: unknown[][] = [
    [], // no payload at all, only the ack
    [null],
    [undefined],
    [0],
    [42],
    [true],
    ['room'],
    [''],
    ['{not json'],
    [[]],
    [[valid]],
    [deep(2_000, valid, true)],
    [huge()],
    [withOwn({}, '__proto__', pollution())],
    [{}],
  ];
  const out = [...fixed];
  while (out.length < count) {
    const payload: Record<string, unknown> = { ...valid };
    const broken = new Map<string, FieldSpec>([pick(fields)]);
    if (rng() < 0.3) broken.set(...pick(fields));
    for (const [name, spec] of broken) {
      if (spec.required && rng() < 0.25) delete payload[name];
      else payload[name] = rng() < 0.06 ? huge() : pick(bad[spec.kind]);
    }
    const extraCount = Math.floor(rng() * 3);
    for (let i = 0; i < extraCount; i++) {
      const [key, value] = pick(extras);
      withOwn(payload, key, value());
    }
    if (rng() < 0.05) payload.padding = huge();
    out.push(rng() < 0.08 ? [payload, pick(notString)] : [payload]);
  }
  return out;
}

function preview(args: unknown[]): string {
  const json = JSON.stringify(args) ?? 'undefined';
  return json.length > 160 ? `${json.slice(0, 160)}…(${json.length} chars)` : json;
}

/** Emits with an ack; `closed` when the server dropped the connection instead of answering. */
async function attempt(socket: ClientSocket, event: string, args: unknown[]): Promise<{ ack?: Ack<unknown>; closed?: string }> {
  const s = socket as unknown as Socket;
  let reason: string | undefined;
  const onDisconnect = (r: string) => {
    reason = r;
  };
  s.once('disconnect', onDisconnect);
  try {
    return { ack: (await s.timeout(5_000).emitWithAck(event, ...args)) as Ack<unknown> };
  } catch (err) {
    if (!s.connected) return { closed: reason ?? 'disconnected' };
    throw err;
  } finally {
    s.off('disconnect', onDisconnect);
  }
}

it('answers malformed payloads of every event with an ack error (drops only that socket on an oversize frame), stays up', async () => {
  const tenant = await server.createTenant();
  const fuzzer = await server.member(tenant, 'fuzzer');
  const witness = await server.member(tenant, 'witness');
  const room = await createRoom(fuzzer, { name: 'fuzz', memberIds: [witness.user.id] });
  const seed = await postMessage(fuzzer, room.id, 'seed');
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  const watcher = await open(witness);
  await call(watcher, 'room:join', { roomId: room.id });
  const watcherDisconnects = collect(watcher, 'disconnect');
  const watcherEvents: { e: string; p: unknown }[] = [];
  for (const e of ['message:created', 'message:updated', 'message:deleted', 'reaction:updated', 'typing']) {
    (watcher as unknown as Socket).on(e, (p: unknown) => watcherEvents.push({ e, p }));
  }

  const valid: Record<string, Record<string, unknown>> = {
    'room:join': { roomId: room.id, since: 0 },
    'room:leave': { roomId: room.id },
    'message:send': { roomId: room.id, clientId: randomUUID(), text: 'hello' },
    'message:edit': { messageId: seed.id, text: 'edited' },
    'message:delete': { messageId: seed.id },
    'reaction:add': { messageId: seed.id, emoji: '👍' },
    'reaction:remove': { messageId: seed.id, emoji: '👍' },
    typing: { roomId: room.id, typing: true },
    'room:read': { roomId: room.id, seq: 1 },
    'room:delivered': { roomId: room.id, seq: 1 },
    'auth:refresh': { token: fuzzer.accessToken },
  };
  const codes = Object.keys(ERROR_STATUS);
  const rng = mulberry32(0xc0ffee);
  const failures: string[] = [];
  let sent = 0;
  let oversizeSent = 0;

  for (const [event, fields] of Object.entries(EVENT_FIELDS)) {
    const base = valid[event];
    if (!base) throw new Error(`No valid payload for ${event}`);
    // A socket per event keeps each under the per-socket event rate guard.
    let socket = await open(fuzzer);
    await call(socket, 'room:join', { roomId: room.id });
    for (const args of makePayloads(event, base, rng, 42)) {
      sent++;
      const bytes = Buffer.byteLength(JSON.stringify([event, ...args]) ?? '');
      const oversize = bytes > LIMITS.socketPayloadBytesMax;
      if (oversize) oversizeSent++;
      const what = `${event} ${preview(args)}`;
      let outcome: { ack?: Ack<unknown>; closed?: string };
      try {
        outcome = await attempt(socket, event, args);
      } catch (err) {
        failures.push(`${what}: no ack (${(err as Error).message})`);
        continue;
      }
      if (outcome.closed !== undefined) {
        if (!oversize) failures.push(`${what}: socket closed (${outcome.closed}) for a ${bytes}-byte frame`);
        socket = await open(fuzzer);
        continue;
      }
      const { ack } = outcome;
      const code = ack?.error?.code;
      const message = ack?.error?.message;
      if (!ack || ack.data !== undefined || !code || !codes.includes(code) || typeof message !== 'string') {
        failures.push(`${what}: unexpected ack ${JSON.stringify(ack)?.slice(0, 300)}`);
      } else if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] >= 500 || /\n\s+at |Error:/.test(message)) {
        failures.push(`${what}: server-side failure ${JSON.stringify(ack.error).slice(0, 300)}`);
      } else if (!oversize && code !== 'validation_failed') {
        failures.push(`${what}: ${code} instead of validation_failed (${message})`);
      }
    }
    // Without an ack callback: nothing to answer, but nothing may break either. (Valid payloads only
    // for events whose effect, if the server chose to apply them, the checks below cannot see.)
    const noAck: unknown[] = [null, { ...base, [itemAt(Object.keys(fields), 0)]: 42 }, 'x', []];
    if (['room:join', 'room:leave', 'room:read', 'room:delivered', 'auth:refresh'].includes(event)) noAck.unshift(base);
    for (const payload of noAck) (socket as unknown as Socket).emit(event, payload);
    (socket as unknown as Socket).emit(event);
    const after = await attempt(socket, event, [{}]);
    if (after.ack?.error?.code !== 'validation_failed') failures.push(`${event}: after emits without ack: ${JSON.stringify(after)}`);
  }

  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(11 * 40);
  expect(oversizeSent).toBeGreaterThan(11);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  // Only the fuzzing sockets were dropped; the bystander never was.
  expect(watcherDisconnects).toEqual([]);
  expect(watcher.connected).toBe(true);
  await settle(300);
  expect(watcherEvents).toEqual([]);
  // Nothing was stored or changed by the malformed payloads.
  expect(await server.db('messages').where({ roomId: room.id }).select('id', 'text', 'deletedAt', 'editedAt')).toEqual([
    { id: seed.id, text: 'seed', deletedAt: null, editedAt: null },
  ]);
  expect(await server.db('reactions').where({ messageId: seed.id })).toEqual([]);

  // Still healthy: REST answers, a fresh socket joins and sends, the bystander receives it.
  const health = await server.request('GET', '/healthz');
  expect(health.status).toBe(200);
  const fresh = await open(fuzzer);
  const joined = await call<RoomJoinResult>(fresh, 'room:join', { roomId: room.id });
  expect(joined.messages.map((m) => m.text)).toEqual(['seed']);
  const arrived = waitFor<MessageDto>(watcher, 'message:created', (m) => m.text === 'after the fuzz');
  const sentAfter = await call<{ message: MessageDto }>(fresh, 'message:send', {
    roomId: room.id,
    clientId: randomUUID(),
    text: 'after the fuzz',
  });
  expect(sentAfter.message.seq).toBe(2);
  expect((await arrived).id).toBe(sentAfter.message.id);
});

it('accepts a message of exactly 4000 characters, even all JSON-escaped, and refuses 4001 with validation_failed', async () => {
  const tenant = await server.createTenant();
  const ana = await server.member(tenant, 'ana');
  const room = await createRoom(ana, { name: 'limits' });
  const socket = await open(ana);
  await call(socket, 'room:join', { roomId: room.id });

  const max = LIMITS.messageTextMax;
  expect(max).toBe(4000);
  for (const text of ['x'.repeat(max), '"\\'.repeat(max / 2), '\u0001'.repeat(max), '€'.repeat(max)]) {
    const ack = await request<{ message: MessageDto }>(socket, 'message:send', { roomId: room.id, clientId: randomUUID(), text });
    expect({ length: text.length, error: ack.error }).toEqual({ length: max, error: undefined });
    expect(ack.data!.message.text).toBe(text);
  }
  for (const text of ['x'.repeat(max + 1), '\u0001'.repeat(max + 1)]) {
    const clientId = randomUUID();
    const ack = await request(socket, 'message:send', { roomId: room.id, clientId, text });
    expectRefusal(ack, 'validation_failed', `${text.length} characters`);
    expect(socket.connected).toBe(true);
    expect(await server.db('messages').where({ clientId })).toEqual([]);
  }
  expect(Number((await server.db('messages').where({ roomId: room.id }).count('* as n').first())!.n)).toBe(4);
});
