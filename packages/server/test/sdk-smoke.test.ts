import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: App;
beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});
afterAll(() => server?.close());

it('lets two SDK clients chat in a room', async () => {
  const ana = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
  const bob = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
  try {
    const anaSession = await server.member(tenant, 'ana');
    const bobSession = await server.member(tenant, 'bob');
    await ana.connectSession(anaSession);
    await bob.connectSession(bobSession);
    const created = await ana.rooms.create({ name: 'SDK', memberIds: [bobSession.user.id] });
    const roomA = await ana.room(created.id).watch();
    const roomB = await bob.room(created.id).watch();
    const arrived = new Promise((resolve) => roomB.on('message:created', resolve));
    const stored = await roomA.send('Olá!');
    await arrived;
    expect(stored.seq).toBe(1);
    expect(roomB.state.get().messages.map((m) => m.text)).toEqual(['Olá!']);
    expect(roomA.state.get().messages.map((m) => [m.text, m.status])).toEqual([['Olá!', expect.stringMatching(/sent|delivered|read/)]]);
  } finally {
    await ana.logout();
    await bob.logout();
  }
});
