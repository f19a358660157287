import { LIMITS } from '@confab/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { createRedisPresence } from '../src/redis/presence.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

const MAX = LIMITS.socketsPerUserMax;
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

/** The connect_error of a refused handshake, or null when the server accepted the socket. */
async function refusal(
  server: TestServer,
  session: Parameters<typeof connect>[1],
): Promise<{ message: string; data?: { code?: string } } | null> {
  try {
    opened.push(await connect(server, session));
    return null;
  } catch (err) {
    return err as { message: string; data?: { code?: string } };
  }
}

let opened: ClientSocket[] = [];
const closeAll = () => {
  for (const socket of opened) socket.close();
  opened = [];
};

async function openMany(server: TestServer, session: Parameters<typeof connect>[1], count: number): Promise<ClientSocket[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => connect(server, session)));
  opened.push(...sockets);
  return sockets;
}

describe('sockets per user', () => {
  let server: TestServer;
  let tenant: App;
  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
  });
  afterAll(async () => {
    closeAll();
    await server?.close();
  });

  it(`refuses a user's socket past ${MAX} with rate_limited (any session), frees a slot on disconnect, spares other users`, async () => {
    expect(MAX).toBeGreaterThan(0);
    const ana = await server.member(tenant, 'ana');
    const sockets = await openMany(server, ana, MAX);
    expect(sockets.every((s) => s.connected)).toBe(true);

    const refused = await refusal(server, ana);
    expect(refused?.data?.code).toBe('rate_limited');
    expect(refused?.message).toMatch(new RegExp(`${MAX}`));
    const otherSession = await server.member(tenant, 'ana'); // the same user signed in again
    expect(otherSession.user.id).toBe(ana.user.id);
    expect((await refusal(server, otherSession))?.data?.code).toBe('rate_limited');

    const bob = await server.member(tenant, 'bob');
    expect(await refusal(server, bob)).toBeNull();

    itemAt(sockets, 0).close();
    // The slot is free as soon as the server has seen the close (no expiry to wait for).
    await until('a slot freed by a disconnect', async () => (await refusal(server, ana)) === null, 2_000);
    expect((await refusal(server, ana))?.data?.code).toBe('rate_limited');
    closeAll();
  });

  describe.runIf(clustered)('across nodes', () => {
    let nodeB: TestServer;
    beforeAll(async () => {
      nodeB = await startTestServer({ peer: server });
    });
    afterAll(async () => {
      closeAll();
      await nodeB?.close();
    });

    it('counts one user’s sockets on every node together, and a slot freed on one node admits a socket on another', async () => {
      const cleo = await server.member(tenant, 'cleo');
      await openMany(server, cleo, MAX / 2);
      const onB = await openMany(nodeB, cleo, MAX - MAX / 2);
      expect((await refusal(server, cleo))?.data?.code).toBe('rate_limited');
      expect((await refusal(nodeB, cleo))?.data?.code).toBe('rate_limited');

      itemAt(onB, 0).close();
      await until('a slot freed on node B to admit a socket on node A', async () => (await refusal(server, cleo)) === null, 2_000);
      closeAll();
    });

    it("lets a dead node's connections expire instead of holding the user's slots forever", async () => {
      const dora = await server.member(tenant, 'dora');
      // What a node that died leaves in Redis: live-looking connections nobody heartbeats or removes.
      const deadNode = createRedisPresence(server.redis!, server.redisPrefix, pino({ level: 'silent' }), 600);
      for (let i = 0; i < MAX; i++) await deadNode.admit(dora.user.id, `dead-node:s${i}`);
      expect((await refusal(server, dora))?.data?.code).toBe('rate_limited');

      await sleep(700);
      expect(await refusal(server, dora)).toBeNull();
      closeAll();
    });
  });
});
