import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import type { App } from '../../../packages/server/src/db/models/index.js';
import { startTestServer, type TestServer } from '../../../packages/server/test/helpers/server.js';
import { createHostBackend, type HostBackend } from '../src/app.js';

export { startTestServer, type TestServer };

export interface RunningBackend extends HostBackend {
  url: string;
  close(): Promise<void>;
}

/** The host backend on an ephemeral port, talking to `server` as `tenant`. */
export async function startHostBackend(server: TestServer, tenant: App): Promise<RunningBackend> {
  const backend = createHostBackend({
    confabUrl: server.url,
    appId: tenant.id,
    appSecret: tenant.secret,
    sessionSecret: randomBytes(32).toString('hex'),
  });
  await new Promise<void>((resolve) => backend.http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(backend.http.address() as AddressInfo).port}`;
  return {
    ...backend,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        backend.http.close(() => resolve());
        backend.http.closeAllConnections();
      }),
  };
}

/** A client of the host site keeping its cookie, as a browser would. */
export function siteVisitor(baseUrl: string) {
  let cookie = '';
  return {
    get cookie() {
      return cookie;
    },
    async fetch(path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (cookie) headers.set('cookie', cookie);
      const res = await fetch(baseUrl + path, { ...init, headers, redirect: 'manual' });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        cookie = /=$/.test(pair) || /expires=Thu, 01 Jan 1970/i.test(line) ? '' : pair;
      }
      return res;
    },
    login(username: string, password: string, accept = 'application/json') {
      return this.fetch('/login', {
        method: 'POST',
        headers: { accept, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }),
      });
    },
  };
}
