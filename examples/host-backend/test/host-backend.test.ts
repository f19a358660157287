import type { AuthSessionDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../../packages/server/src/db/models/index.js';
import { type RunningBackend, siteVisitor, startHostBackend, startTestServer, type TestServer } from './helpers.js';

describe('host backend: its own sign-in and the Confab token it signs', () => {
  let server: TestServer;
  let tenant: App;
  let backend: RunningBackend;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    backend = await startHostBackend(server, tenant);
  });

  afterAll(async () => {
    await backend?.close();
    await server?.close();
  });

  it('refuses a wrong password and an unknown user without setting a cookie', async () => {
    const visitor = siteVisitor(backend.url);
    const wrong = await visitor.login('alice', 'not-her-password');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Wrong username or password' });
    const unknown = await visitor.login('mallory', 'wonderland');
    expect(unknown.status).toBe(401);
    expect(visitor.cookie).toBe('');
    expect((await visitor.fetch('/confab-token')).status).toBe(401);
  });

  it('answers /confab-token with 401 without a session, with a forged cookie and after logout', async () => {
    expect((await fetch(`${backend.url}/confab-token`)).status).toBe(401);

    const visitor = siteVisitor(backend.url);
    expect((await visitor.login('bob', 'can-we-fix-it')).status).toBe(200);
    const [, value = ''] = visitor.cookie.split('=');
    const [payload = '', signature = ''] = value.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), userId: 'u-1001' }),
    ).toString('base64url');
    const forged = await fetch(`${backend.url}/confab-token`, { headers: { cookie: `host_session=${forgedPayload}.${signature}` } });
    expect(forged.status).toBe(401);

    const stolen = visitor.cookie;
    expect((await visitor.fetch('/confab-token')).status).toBe(200);
    expect((await visitor.fetch('/logout', { method: 'POST', headers: { accept: 'application/json' } })).status).toBe(204);
    expect(visitor.cookie).toBe('');
    // A copy of the cookie taken before logout is dead too.
    expect((await fetch(`${backend.url}/confab-token`, { headers: { cookie: stolen } })).status).toBe(401);
  });

  it('signs a short-lived token that Confab exchanges for the site user, found again by external id', async () => {
    const visitor = siteVisitor(backend.url);
    const login = await visitor.login('alice', 'wonderland');
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ user: { id: 'u-1001', username: 'alice', name: 'Alice', lastName: 'Liddell', role: 'user' } });
    const setCookie = login.headers.getSetCookie()[0];
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);

    const res = await visitor.fetch('/confab-token');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    const claims = jwt.verify(token, tenant.secret, { algorithms: ['HS256'], audience: tenant.id }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'u-1001', name: 'Alice', lastName: 'Liddell', email: 'alice@example.com', role: 'user' });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const exchanged = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', { app: tenant.id, body: { token } });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.user).toMatchObject({
      kind: 'member',
      role: 'user',
      name: 'Alice',
      lastName: 'Liddell',
      email: 'alice@example.com',
      externalId: 'u-1001',
    });

    // Signing in again later is the same Confab user, not a new one.
    const again = await visitor.fetch('/confab-token');
    const second = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', {
      app: tenant.id,
      body: { token: (await again.json()).token },
    });
    expect(second.body.user.id).toBe(exchanged.body.user.id);
  });

  it('is refused by another Confab app: the token is bound to this app id', async () => {
    const other = await server.createTenant(['http://127.0.0.1:*']);
    const visitor = siteVisitor(backend.url);
    await visitor.login('alice', 'wonderland');
    const { token } = await (await visitor.fetch('/confab-token')).json();
    const res = await server.request('POST', '/v1/auth/exchange', { app: other.id, body: { token } });
    expect(res.status).toBe(401);
  });

  it('serves the page under a strict CSP, with user-token only for a signed-in user', async () => {
    const anonymous = await fetch(`${backend.url}/`);
    const csp = anonymous.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' " + server.url);
    expect(csp).not.toContain('unsafe-inline');
    const html = await anonymous.text();
    expect(html).toContain(`<chat-widget app="${tenant.id}" server="${server.url}"`);
    expect(html).not.toContain('user-token');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    const visitor = siteVisitor(backend.url);
    await visitor.login('bob', 'can-we-fix-it');
    const signedIn = await visitor.fetch('/');
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    const token = /user-token="([^"]+)"/.exec(await signedIn.text())?.[1];
    expect(jwt.decode(token!)).toMatchObject({ sub: 'u-1002', aud: tenant.id });
  });

  it('gives agents the inbox at /support, signed in as Confab agents, and nobody else', async () => {
    const anonymous = await fetch(`${backend.url}/support`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    const alice = siteVisitor(backend.url);
    await alice.login('alice', 'wonderland');
    expect((await alice.fetch('/support')).status).toBe(403);

    const carol = siteVisitor(backend.url);
    expect(await (await carol.login('carol', 'answers-first')).json()).toMatchObject({ user: { id: 'u-2001', role: 'agent' } });
    const home = await (await carol.fetch('/')).text();
    expect(home).not.toContain('<chat-widget');
    expect(home).toContain('href="/support"');
    const inbox = await carol.fetch('/support');
    expect(inbox.headers.get('content-security-policy')).toContain(`script-src 'self' ${server.url};`);
    expect(inbox.headers.get('cache-control')).toBe('no-store');
    const token = /<chat-inbox app="[^"]+" server="[^"]+" user-token="([^"]+)"/.exec(await inbox.text())?.[1];
    const exchanged = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', { app: tenant.id, body: { token } });
    expect(exchanged.body.user).toMatchObject({ role: 'agent', name: 'Carol', externalId: 'u-2001' });
  });

  it('works without JavaScript: the form posts, redirects, and shows a failed sign-in', async () => {
    const visitor = siteVisitor(backend.url);
    const failed = await visitor.login('alice', 'nope', 'text/html');
    expect(failed.status).toBe(401);
    expect(await failed.text()).toMatch(/<p id="login-error" class="error" role="alert">/);
    const ok = await visitor.login('alice', 'wonderland', 'text/html');
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/');
    expect(visitor.cookie).toMatch(/^host_session=/);
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await fetch(`${backend.url}/login`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: 'wonderland' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
