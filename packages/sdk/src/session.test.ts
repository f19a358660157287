import type { AuthSessionDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { ChatError } from './errors.js';
import { Session, type SessionEndReason } from './session.js';
import type { SessionStore, StoredEnd, StoredSession } from './tabs/session-store.js';
import type { HttpTransport } from './transport/http.js';

/** One browser's localStorage and lock, seen by several tabs: a save reaches the others' watchers. */
function browserTabs() {
  let value: AuthSessionDto | null = null;
  let lock: Promise<unknown> = Promise.resolve();
  const watchers = new Set<{ listener: (stored: StoredSession) => void; owner: number }>();
  let nextOwner = 0;
  return {
    tab(): SessionStore {
      const owner = nextOwner++;
      return {
        load: () => value,
        save: (session: AuthSessionDto | null, ended?: StoredEnd) => {
          value = session;
          for (const w of watchers) if (w.owner !== owner) w.listener({ session, ended: session ? undefined : (ended ?? 'logout') });
        },
        watch: (listener) => {
          const entry = { listener, owner };
          watchers.add(entry);
          return () => watchers.delete(entry);
        },
        exclusive: <T>(work: () => Promise<T>) => {
          const run = lock.then(work, work);
          lock = run.catch(() => undefined);
          return run;
        },
      };
    },
  };
}

/** A server that rotates refresh tokens with no grace at all: any reuse is refused. */
function strictServer() {
  let n = 0;
  const live = new Set<string>();
  const calls: string[] = [];
  const issue = (expiresInMs: number): AuthSessionDto => {
    n += 1;
    const session = {
      user: { id: 'u1', kind: 'guest', role: 'user' },
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      refreshExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    } as AuthSessionDto;
    live.add(session.refreshToken);
    return session;
  };
  const http = {
    async call(key: string, options: { body?: { refreshToken?: string } } = {}) {
      calls.push(key);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const token = options.body?.refreshToken ?? '';
      if (!live.delete(token)) throw new ChatError('unauthorized', 'This refresh token was already used', 401);
      return issue(15 * 60_000);
    },
  } as unknown as HttpTransport;
  return { http, calls, issue, revokeAll: () => live.clear() };
}

function hooks() {
  const ended: SessionEndReason[] = [];
  const changes: (string | null)[] = [];
  return {
    ended,
    changes,
    hooks: {
      changed: (session: AuthSessionDto | null) => changes.push(session?.accessToken ?? null),
      ended: (reason: SessionEndReason) => ended.push(reason),
    },
  };
}

describe('Session shared by the tabs of a browser', () => {
  it('renews once for two tabs that need a fresh token at the same moment: the second takes the tokens the first got', async () => {
    const server = strictServer();
    const browser = browserTabs();
    const first = server.issue(2_000); // about to expire
    const a = new Session(server.http, hooks().hooks, browser.tab());
    const b = new Session(server.http, hooks().hooks, browser.tab());
    a.start(first);
    expect(b.current?.refreshToken).toBe(first.refreshToken);

    const [tokenA, tokenB] = await Promise.all([a.accessToken(), b.accessToken()]);
    expect(server.calls).toEqual(['POST /v1/auth/refresh']);
    expect(tokenA).toBe(tokenB);
    expect(a.current?.refreshToken).toBe(b.current?.refreshToken);
    a.dispose();
    b.dispose();
  });

  it('signs every tab out when one logs out, telling the others why', () => {
    const server = strictServer();
    const browser = browserTabs();
    const a = new Session(server.http, hooks().hooks, browser.tab());
    const other = hooks();
    const b = new Session(server.http, other.hooks, browser.tab());
    a.start(server.issue(60_000));
    a.clear('logout');
    expect(b.current).toBeNull();
    expect(other.ended).toEqual(['logout-elsewhere']);
    expect(other.changes.at(-1)).toBeNull();
  });

  it('ends the session in every tab as refused when the server will not renew it', async () => {
    const server = strictServer();
    const browser = browserTabs();
    const mine = hooks();
    const other = hooks();
    const a = new Session(server.http, mine.hooks, browser.tab());
    const b = new Session(server.http, other.hooks, browser.tab());
    a.start(server.issue(1_000));
    server.revokeAll();
    await expect(a.accessToken()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(mine.ended).toEqual(['refused']);
    expect(other.ended).toEqual(['refused']);
    expect(b.current).toBeNull();
  });

  it('lets a tab that signed in late pick up the session another tab started', async () => {
    const server = strictServer();
    const browser = browserTabs();
    const b = new Session(server.http, hooks().hooks, browser.tab());
    expect(b.current).toBeNull();
    const a = new Session(server.http, hooks().hooks, browser.tab());
    const session = server.issue(60_000);
    a.start(session);
    expect(await b.accessToken()).toBe(session.accessToken);
    a.dispose();
    b.dispose();
  });
});
