import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, ErrorResponse, RoomDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { hasRedisServer, PrivateRedis } from './helpers/private-redis.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const { DATABASE_URL, REDIS_URL } = process.env;

/** Every SQL statement the node's database runs while `work` runs. */
async function queriesDuring(server: TestServer, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listen = (query: Knex.Sql) => seen.push(query.sql);
  server.db.on('query', listen);
  try {
    await work();
  } finally {
    server.db.off('query', listen);
  }
  return seen;
}

/** What authenticating used to read: the user row and the session's refresh tokens (the batched last-seen write aside). */
const authQueries = (sql: string[]) => sql.filter((q) => /refresh_tokens|"users"|\busers\b/.test(q) && !/last_seen_at/.test(q));

/** The node's registry of revoked sessions has loaded the record (until then it asks the database). */
const registrySure = (server: TestServer) =>
  until('registry loaded', () => server.app.services.auth.revoked.isRevoked(randomUUID()) === false);

/** Connects, or resolves with the refusal's error code. */
const handshake = (server: TestServer, token: string) =>
  connect(server, null, { token }).then(
    (socket) => {
      socket.close();
      return 'accepted';
    },
    (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message,
  );

const restStatus = async (server: TestServer, token: string) => (await server.request<ErrorResponse>('GET', '/v1/rooms', { token })).status;

const refresh = (server: TestServer, refreshToken: string) =>
  server.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken } });

/** A session ended by replaying a refresh token rotated twice (no grace then): its access token is still unexpired. */
async function reusedSession(server: TestServer, tenant: App): Promise<AuthSessionDto> {
  const session = await server.member(tenant, `reuse-${randomUUID()}`);
  const first = await refresh(server, session.refreshToken);
  expect(first.status).toBe(200);
  expect((await refresh(server, first.body.refreshToken)).status).toBe(200);
  expect((await refresh(server, session.refreshToken)).status).toBe(401);
  return first.body;
}

describe('a node on its own', () => {
  let server: TestServer;
  let tenant: App;
  const open: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
  });

  afterAll(async () => {
    for (const socket of open) socket.close();
    await server?.close();
  });

  it('connects a socket and answers a REST call on the access token alone: no query of users or refresh tokens', async () => {
    const ana = await server.member(tenant, `ana-${randomUUID()}`);
    const room = (await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'no-db' } })).body;
    await registrySure(server);

    const handshakeSql = await queriesDuring(server, async () => open.push(await connect(server, ana)));
    const restSql = await queriesDuring(server, async () => {
      const res = await server.request('GET', `/v1/rooms/${room.id}/receipts`, { token: ana.accessToken });
      expect(res.status).toBe(200);
    });

    expect(authQueries(handshakeSql)).toEqual([]);
    // The listener hears this node's queries: the route's own reads are there.
    expect(restSql.some((q) => q.includes('memberships'))).toBe(true);
    expect(authQueries(restSql)).toEqual([]);
  });

  it('refuses a handshake and a REST call with the live access token of a session ended by logout or refresh-token reuse', async () => {
    const kept = await server.member(tenant, `kept-${randomUUID()}`);
    const loggedOut = await server.member(tenant, `out-${randomUUID()}`);
    const reused = await reusedSession(server, tenant);
    expect(await handshake(server, loggedOut.accessToken)).toBe('accepted');
    expect((await server.request('POST', '/v1/auth/logout', { token: loggedOut.accessToken })).status).toBe(204);
    await registrySure(server);

    for (const ended of [loggedOut, reused]) {
      const sql = await queriesDuring(server, async () => {
        expect(await handshake(server, ended.accessToken)).toBe('unauthorized');
        expect(await restStatus(server, ended.accessToken)).toBe(401);
      });
      // Refused from memory, not by asking the database.
      expect(authQueries(sql)).toEqual([]);
    }
    expect(await handshake(server, kept.accessToken)).toBe('accepted');
    expect(await restStatus(server, kept.accessToken)).toBe(200);
  });

  it('refuses the access token of a guest once the guest was merged into the member who signed in', async () => {
    const guest = await server.guest(tenant, 'Visitor');
    expect(await handshake(server, guest.accessToken)).toBe('accepted');
    // Signing in with the guest's token adopts (and deletes) the guest.
    const member = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', {
      app: tenant.id,
      token: guest.accessToken,
      body: { token: hostToken(tenant, `merged-${randomUUID()}`) },
    });
    expect(member.status).toBe(200);
    expect(await handshake(server, guest.accessToken)).toBe('unauthorized');
    expect(await restStatus(server, guest.accessToken)).toBe(401);
    expect(await handshake(server, member.body.accessToken)).toBe('accepted');
  });

  it('still records when a user was last seen, in a batch after they connect and after they leave', async () => {
    const bea = await server.member(tenant, `bea-${randomUUID()}`);
    const lastSeen = async () =>
      ((await server.db('users').where({ id: bea.user.id }).first('last_seen_at')) as { lastSeenAt: Date | null }).lastSeenAt;
    expect(await lastSeen()).toBeNull();

    const before = Date.now();
    const socket = await connect(server, bea);
    const online = await until('last_seen_at written', lastSeen);
    expect(online.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    socket.close();
    const offline = await until('last_seen_at moved on leaving', async () => {
      const at = await lastSeen();
      return at && at.getTime() > online.getTime() ? at : null;
    });
    expect(offline.getTime()).toBeGreaterThan(online.getTime());
  });
});

describe.runIf(DATABASE_URL && REDIS_URL)('two nodes on one PostgreSQL and Redis', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    tenant = await nodeA.createTenant();
  });

  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
  });

  it('refuses on the other node, from memory, a session ended on this one by logout or refresh-token reuse', async () => {
    const kept = await nodeA.member(tenant, `kept-${randomUUID()}`);
    const loggedOut = await nodeA.member(tenant, `out-${randomUUID()}`);
    const reused = await reusedSession(nodeA, tenant);
    await registrySure(nodeB);
    expect(await handshake(nodeB, loggedOut.accessToken)).toBe('accepted');
    expect((await nodeA.request('POST', '/v1/auth/logout', { token: loggedOut.accessToken })).status).toBe(204);

    for (const ended of [loggedOut, reused]) {
      await until('node B heard of it', () => nodeB.app.services.auth.revoked.isRevoked(claimsOf(ended).sid));
      const sql = await queriesDuring(nodeB, async () => {
        expect(await handshake(nodeB, ended.accessToken)).toBe('unauthorized');
        expect(await restStatus(nodeB, ended.accessToken)).toBe(401);
      });
      expect(authQueries(sql)).toEqual([]);
    }
    expect(await handshake(nodeB, kept.accessToken)).toBe('accepted');
  });

  it('refuses, on a node started after it, a session ended before it started', async () => {
    const ended = await nodeA.member(tenant, `before-${randomUUID()}`);
    expect((await nodeA.request('POST', '/v1/auth/logout', { token: ended.accessToken })).status).toBe(204);
    const late = await startTestServer({ peer: nodeA });
    try {
      expect(await handshake(late, ended.accessToken)).toBe('unauthorized');
      await registrySure(late);
      expect(late.app.services.auth.revoked.isRevoked(claimsOf(ended).sid)).toBe(true);
      expect(await restStatus(late, ended.accessToken)).toBe(401);
    } finally {
      await late.close();
    }
  });
});

describe.runIf(DATABASE_URL && hasRedisServer)('while Redis is away', () => {
  let redis: PrivateRedis;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    nodeA = await startTestServer({ redisUrl: redis.url });
    nodeB = await startTestServer({ redisUrl: redis.url, peer: nodeA });
    tenant = await nodeA.createTenant();
  });

  afterAll(async () => {
    await nodeB?.close();
    await nodeA?.close();
    await redis?.down();
  });

  it('asks the database instead of trusting its memory, so a session ended meanwhile on another node stays refused', async () => {
    const kept = await nodeA.member(tenant, `kept-${randomUUID()}`);
    const ended = await nodeA.member(tenant, `ended-${randomUUID()}`);
    await registrySure(nodeB);
    await redis.down();
    await until('node B no longer sure', () => nodeB.app.services.auth.revoked.isRevoked(randomUUID()) === null);

    // Node A cannot tell node B; node B checks the database.
    expect((await nodeA.request('POST', '/v1/auth/logout', { token: ended.accessToken })).status).toBe(204);
    const sql = await queriesDuring(nodeB, async () => {
      expect(await handshake(nodeB, ended.accessToken)).toBe('unauthorized');
      expect(await restStatus(nodeB, ended.accessToken)).toBe(401);
    });
    expect(sql.some((q) => q.includes('refresh_tokens'))).toBe(true);
    expect(await handshake(nodeB, kept.accessToken)).toBe('accepted');

    // Redis back: node B reads the record it missed and is sure again.
    await redis.up();
    await until('node B sure again', () => nodeB.app.services.auth.revoked.isRevoked(claimsOf(ended).sid), 15_000);
    expect(await handshake(nodeB, ended.accessToken)).toBe('unauthorized');
  });
});

function claimsOf(session: AuthSessionDto): { sid: string } {
  return JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
}

/** A token as the host backend signs it for POST /v1/auth/exchange. */
function hostToken(tenant: App, externalId: string): string {
  return jwt.sign({ name: 'Merged' }, tenant.secret, { algorithm: 'HS256', subject: externalId, audience: tenant.id, expiresIn: '1h' });
}
