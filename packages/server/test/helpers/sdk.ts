import { type ChatClient, createClient } from '@confab/sdk';
import { afterAll, afterEach, beforeAll } from 'vitest';

import type { App } from '../../src/db/models/index.js';
import { startTestServer, type TestServer } from './server.js';

export interface SdkMember {
  client: ChatClient;
  id: string;
  externalId: string;
}

/** The file's test server and app, and members signed in through the SDK (logged out after each test). */
export interface SdkApp {
  readonly server: TestServer;
  readonly tenant: App;
  /** A member signed in with a host-signed token for `externalId` (a fresh one by default), `claims` added. */
  member(name: string, options?: { externalId?: string; claims?: Record<string, unknown> }): Promise<SdkMember>;
}

/** Starts a test server with one app for the file's tests (call at the top level of a test file). */
export function useSdkApp(): SdkApp {
  let server: TestServer | undefined;
  let tenant: App | undefined;
  const clients: ChatClient[] = [];
  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.logout().catch(() => undefined)));
  });
  afterAll(() => server?.close());
  const app: SdkApp = {
    get server() {
      if (!server) throw new Error('useSdkApp: the server starts in beforeAll');
      return server;
    },
    get tenant() {
      if (!tenant) throw new Error('useSdkApp: the app is made in beforeAll');
      return tenant;
    },
    async member(name, options = {}) {
      const externalId = options.externalId ?? `${name}-${Math.random().toString(36).slice(2, 8)}`;
      const session = await app.server.member(app.tenant, externalId, { name, ...options.claims });
      const client = createClient({ url: app.server.url, app: app.tenant.id, transports: ['websocket'] });
      clients.push(client);
      await client.connectSession(session);
      return { client, id: session.user.id, externalId };
    },
  };
  return app;
}
