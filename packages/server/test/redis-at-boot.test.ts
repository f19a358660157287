import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AuthSessionDto, HealthDto, MessageDto, StartConversationResult } from '@confab/protocol';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { cleanEnv, killCliProcesses, startCli, type StartedCli } from './helpers/cli-process.js';
import { hasRedisServer, PrivateRedis } from './helpers/private-redis.js';
import { sleep, until } from './helpers/wait.js';

const dirs: string[] = [];
const redises: PrivateRedis[] = [];
const probes: Redis[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  sockets.splice(0).forEach((socket) => socket.close());
  probes.splice(0).forEach((probe) => probe.disconnect());
  killCliProcesses();
  for (const redis of redises.splice(0)) await redis.down();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A CLI node on the embedded database whose REDIS_URL points at a port where nothing listens yet. */
async function startWithoutRedis() {
  const redis = await PrivateRedis.reserve();
  redises.push(redis);
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-redis-boot-'));
  dirs.push(dataDir);
  const prefix = `confab-boot-${randomBytes(4).toString('hex')}:`;
  const server = await startCli(
    cleanEnv({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      CONFAB_DEMO: '1',
      LOG_LEVEL: 'warn',
    }),
  );
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void server.exited.then((result) => (exited = result));
  return { redis, prefix, server, exited: () => exited };
}

async function json<T = unknown>(
  server: StartedCli,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      'x-confab-app': 'demo',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe.runIf(hasRedisServer)('confab-server start while Redis is down', () => {
  it('serves REST while not ready, then becomes ready with fan-out and presence once Redis comes up, never exiting', async () => {
    const { redis, prefix, server, exited } = await startWithoutRedis();
    // Past the command timeout (1 s) of everything issued at boot: this is when it used to die.
    await sleep(3_000);
    expect(exited(), server.output()).toBeNull();

    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    const notReady = await json<HealthDto>(server, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks?.database?.ok).toBe(true);
    expect(notReady.body.checks?.redis?.ok).toBe(false);

    const guest = await json<AuthSessionDto>(server, 'POST', '/v1/auth/guest', { name: 'Ana' });
    expect(guest.status, JSON.stringify(guest.body)).toBe(201);
    const token = guest.body.accessToken;
    const started = await json<StartConversationResult>(
      server,
      'POST',
      '/v1/support/conversations',
      { text: 'hello', clientId: 'boot-1' },
      token,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const roomId = started.body.id;
    const sent = await json<MessageDto>(
      server,
      'POST',
      `/v1/rooms/${roomId}/messages`,
      { text: 'still there?', clientId: 'boot-2' },
      token,
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.seq).toBeGreaterThan(0);

    const socket = connectSocket(server.base, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    await redis.up();
    await until('readyz 200 after Redis came up', async () => (await fetch(`${server.base}/readyz`)).status === 200, 15_000);

    const probe = new Redis(redis.url);
    probes.push(probe);
    // The adapter subscribed, so this node hears other nodes again.
    await until(
      'the adapter subscribed on Redis',
      async () => {
        const [, count] = (await probe.pubsub('NUMSUB', `${prefix}socket.io-request#/#`)) as [string, number];
        return count > 0;
      },
      10_000,
    );
    // The heartbeat put the connected guest into the shared presence.
    const userId = guest.body.user.id;
    await until(
      'the guest online in Redis presence',
      async () => Object.keys(await probe.hgetall(`${prefix}presence:u:${userId}`)).length > 0,
      15_000,
    );

    // And messages go out to the other nodes through Redis.
    const listener = new Redis(redis.url);
    probes.push(listener);
    const heard = new Promise<string>((resolve) => listener.on('pmessageBuffer', (_pattern, channel) => resolve(channel.toString())));
    await listener.psubscribe(`${prefix}socket.io*`);
    const after = await json(server, 'POST', `/v1/rooms/${roomId}/messages`, { text: 'and now?', clientId: 'boot-3' }, token);
    expect(after.status).toBe(201);
    expect(await Promise.race([heard, sleep(5_000).then(() => 'nothing within 5 s')])).toContain(prefix);

    expect(exited(), server.output()).toBeNull();
    expect(server.output()).not.toMatch(/unhandled|Command timed out/i);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('stops cleanly on SIGTERM when Redis never came up', async () => {
    const { server, exited } = await startWithoutRedis();
    await sleep(2_500);
    expect(exited(), server.output()).toBeNull();
    const exit = await server.stop();
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/unhandled|Command timed out|Connection is closed/i);
  }, 60_000);
});
