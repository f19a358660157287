import { type AddressInfo, connect as connectTcp, createServer, type Server, type Socket } from 'node:net';

import type { AuthSessionDto, ErrorBody, ErrorResponse, HealthDto, MessageDto, PageDto, RoomDto, RoomListItemDto } from '@confab/protocol';
import { type ChatClient, type ConnectionStatus, createClient } from '@confab/sdk';
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import knexModule from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { toAppError, toBodyError } from '../src/errors.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect, request } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

/** How soon after the database is back a client that was refused meanwhile must be online again. */
const BACK_ONLINE_MS = 15_000;

interface PgProxy {
  url: string;
  /** Drops every connection and refuses new ones, as a database that went away. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of PostgreSQL that the test can cut and restore. */
async function pgProxy(databaseUrl: string): Promise<PgProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket.on('close', () => sockets.delete(socket)).on('error', () => undefined));
    return socket;
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = track(connectTcp(Number(target.port || 5432), target.hostname));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    cut: stop,
    restore: () => listen(port),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const failure = (work: () => Promise<unknown>) =>
  work().then(
    () => expect.unreachable('it should have failed'),
    (err: unknown) => err,
  );

// Real failures of the real drivers, each mapped to 503 `unavailable` rather than 500 `internal`.
describe('errors that mean a dependency is unreachable', () => {
  it('maps PostgreSQL refusing connections, PGlite closed and Redis being away to unavailable, and nothing else', async () => {
    const port = await closedPort();
    const pg = knexModule.knex({ client: 'pg', connection: `postgres://postgres@127.0.0.1:${port}/none`, pool: { min: 0, max: 1 } });
    const embedded = new PGlite();
    await embedded.close();
    const noQueue = new Redis({ port, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    const noRetries = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const closed = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
    closed.on('error', () => undefined);
    noRetries.on('error', () => undefined);
    closed.disconnect();
    try {
      const errors = [
        await failure(() => pg.raw('select 1')),
        await failure(() => embedded.query('select 1')),
        await failure(() => noQueue.get('k')),
        await failure(() => noRetries.get('k')),
        await failure(() => closed.get('k')),
      ];
      expect(errors.map((err) => (err as Error).message)).toEqual([
        expect.stringContaining('ECONNREFUSED'),
        'PGlite is closed',
        expect.stringMatching(/^Stream isn't writeable/),
        expect.stringMatching(/^Reached the max retries per request limit/),
        'Connection is closed.',
      ]);
      for (const err of errors)
        expect(toAppError(err).toBody()).toEqual({
          code: 'unavailable',
          message: 'The service is temporarily unavailable, try again shortly',
        });
      expect(toAppError(errors[0]).status).toBe(503);
      // Not every socket error is an outage: a request its client cut off stays the client's error.
      const aborted = Object.assign(new Error('request aborted'), {
        status: 400,
        expose: true,
        code: 'ECONNABORTED',
        type: 'request.aborted',
      });
      expect(toAppError(aborted).code).toBe('bad_request');
      expect(toBodyError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })).code).toBe('bad_request');
      expect(toAppError(new Error('boom')).code).toBe('internal');
    } finally {
      await pg.destroy();
      noQueue.disconnect();
      noRetries.disconnect();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('PostgreSQL going away', () => {
  it('maps an administrator shutdown (57P01) and a pool acquire timeout to unavailable', async () => {
    const db = knexModule.knex({
      client: 'pg',
      connection: process.env.DATABASE_URL,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 200,
    });
    const admin = knexModule.knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 1 } });
    try {
      const tag = `outage-${process.pid}-${Date.now()}`;
      const sleeping = failure(() => db.raw(`select pg_sleep(10) as "${tag}"`));
      // While the pool's one connection sleeps, a second query cannot get one.
      const starved = await failure(() => db.raw('select 1'));
      await admin.raw(`select pg_terminate_backend(pid) from pg_stat_activity where query like ? and pid <> pg_backend_pid()`, [
        `%${tag}%`,
      ]);
      const terminated = await sleeping;
      expect((starved as Error).name).toBe('KnexTimeoutError');
      expect((terminated as { code?: string }).code).toBe('57P01');
      expect(toAppError(starved).code).toBe('unavailable');
      expect(toAppError(terminated).code).toBe('unavailable');
    } finally {
      await db.destroy();
      await admin.destroy();
    }
  });
});

// A test server reaches PostgreSQL through a proxy this test cuts for a few seconds.
describe.runIf(process.env.DATABASE_URL)('database outage', () => {
  let proxy: PgProxy;
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let room: RoomDto;
  let anaSocket: ClientSocket;
  let bobClient: ChatClient;
  const statuses: ConnectionStatus[] = [];

  beforeAll(async () => {
    proxy = await pgProxy(process.env.DATABASE_URL!);
    server = await startTestServer({ env: { DATABASE_URL: proxy.url } });
    tenant = await server.createTenant();
    [ana, bob] = await Promise.all([server.member(tenant, 'ana'), server.member(tenant, 'bob')]);
    room = (
      await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'outage', memberIds: [bob.user.id] } })
    ).body;
    anaSocket = await connect(server, ana);
    expect((await request(anaSocket, 'room:join', { roomId: room.id })).error).toBeUndefined();
    bobClient = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    await bobClient.connectSession(bob);
    await until('bob online', () => bobClient.status === 'online');
    bobClient.on('connection:changed', (status) => statuses.push(status));
  });

  afterAll(async () => {
    anaSocket?.close();
    bobClient?.disconnect();
    await proxy?.restore().catch(() => undefined);
    await server?.close();
    await proxy?.close();
  });

  const expectUnavailable = (error: ErrorBody | undefined) =>
    expect(error).toEqual({ code: 'unavailable', message: 'The service is temporarily unavailable, try again shortly' });

  it(
    'answers 503 on REST and acks while PostgreSQL is away (a handshake needs only its token), then recovers; SDK clients catch up',
    async () => {
      await proxy.cut();
      // Bob's connection drops too (a network blip): his reconnects meet the outage.
      for (const socket of server.app.io.of('/').sockets.values()) if (socket.data.actor.id === bob.user.id) socket.conn.close();
      await until('bob offline', () => bobClient.status !== 'online');

      // REST: 503 with the retryable code and a Retry-After.
      const calls = await Promise.all([
        server.request<ErrorResponse>('GET', '/v1/rooms', { token: ana.accessToken }),
        server.request<ErrorResponse>('POST', `/v1/rooms/${room.id}/messages`, {
          token: ana.accessToken,
          body: { clientId: 'rest-down', text: 'x' },
        }),
        server.request<ErrorResponse>('POST', '/v1/auth/guest', { app: tenant.id, body: { name: 'Guest' } }),
      ]);
      for (const res of calls) {
        expect(res.status).toBe(503);
        expectUnavailable(res.body.error);
        expect(res.headers.get('retry-after')).toBe('2');
      }
      // The process itself is fine, and says what is missing.
      expect((await server.request('GET', '/healthz')).status).toBe(200);
      const ready = await server.request<HealthDto>('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks?.database?.ok).toBe(false);

      // Socket acks, on a socket that stays connected.
      expectUnavailable((await request(anaSocket, 'message:send', { roomId: room.id, clientId: 'socket-down', text: 'x' })).error);
      expectUnavailable((await request(anaSocket, 'room:join', { roomId: room.id })).error);
      expect(anaSocket.connected).toBe(true);

      // A new handshake needs only the verified token (no query), so it connects; what it asks of
      // the database is answered unavailable, retryably.
      const during = await connect(server, ana);
      expectUnavailable((await request(during, 'room:join', { roomId: room.id })).error);
      during.close();

      // The SDK client stays signed in through the outage: never told it is unauthorized.
      await sleep(2_000);
      expect(statuses).not.toContain('unauthorized');

      await proxy.restore();
      const restoredAt = Date.now();
      const rooms = await until('REST answering again', async () => {
        const res = await server.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: ana.accessToken });
        return res.status === 200 ? res : null;
      });
      expect(rooms.body.items.map((r) => r.id)).toContain(room.id);
      const back = await request<{ message: MessageDto }>(anaSocket, 'message:send', { roomId: room.id, clientId: 'back', text: 'back' });
      expect(back.error).toBeUndefined();
      expect(back.data?.message.seq).toBe(1);
      (await connect(server, ana)).close();
      expect((await server.request('GET', '/readyz')).status).toBe(200);

      // The refused SDK client reconnects by itself and hears what is sent now.
      await until('bob back online', () => bobClient.status === 'online', BACK_ONLINE_MS);
      expect(Date.now() - restoredAt).toBeLessThan(BACK_ONLINE_MS);
      const heard = new Promise<MessageDto>((resolve) =>
        bobClient.on('message:created', (m) => m.clientId === 'online-again' && resolve(m)),
      );
      await bobClient.room(room.id).watch();
      expect((await request(anaSocket, 'message:send', { roomId: room.id, clientId: 'online-again', text: 'hi' })).error).toBeUndefined();
      expect((await heard).roomId).toBe(room.id);
    },
    BACK_ONLINE_MS + 30_000,
  );
});
