import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

import { type App, User } from '../../../server/src/db/models/index.js';
import type { TestServerOptions } from '../../../server/test/helpers/server.js';
import { createAgent, launchBrowser, startTestServer, type TestServer } from './browser.js';

/** Someone of the support team who signs in to the inbox with a password. */
export interface TeamMember {
  username: string;
  password: string;
  name: string;
  /** An admin of the app (agents otherwise). */
  admin?: boolean;
}

export interface InboxTeam {
  readonly server: TestServer;
  readonly tenant: App;
  readonly browser: Browser;
  /** The user row of a member, by username. */
  user(username: string): User;
}

/**
 * The usual setup of an inbox test file: a test server with one app allowing the loopback pages,
 * its team, and Chromium; made before the file's tests and closed after them. Call it inside the
 * `describe`, and read the fields in tests or hooks (they are set once the setup ran).
 */
export function useInboxTeam(team: TeamMember[], options: TestServerOptions = {}): InboxTeam {
  let server: TestServer | undefined;
  let tenant: App | undefined;
  let browser: Browser | undefined;
  const users = new Map<string, User>();
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useInboxTeam: read in a test or hook, after its beforeAll ran');
    return value;
  };

  beforeAll(async () => {
    server = await startTestServer(options);
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    for (const member of team) {
      const user = await createAgent(server, tenant, member.username, member.password, member.name);
      if (member.admin) {
        await User.query(server.db).patch({ role: 'admin' }).where({ id: user.id });
        user.role = 'admin';
      }
      users.set(member.username, user);
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  return {
    get server() {
      return ready(server);
    },
    get tenant() {
      return ready(tenant);
    },
    get browser() {
      return ready(browser);
    },
    user: (username) => ready(users.get(username)),
  };
}
