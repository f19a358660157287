import { randomBytes } from 'node:crypto';

import type { AuthSessionDto, ErrorResponse, MemberDto, MessageDto, PageDto, RoomDto, UserDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, startTestServer, type TestServer } from './helpers/server.js';

// Registration and login hash with scrypt N=2^17 on purpose: this file keeps them to about a dozen calls.

let server: TestServer;
let tenant: App;

const PASSWORD = 'correct horse battery';
const suffix = () => randomBytes(3).toString('hex');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A host-backend token for `tenant`, signed with its secret unless told otherwise. */
function hostToken(sub: string, claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}, secret = tenant.secret): string {
  const merged: jwt.SignOptions = { algorithm: 'HS256', subject: sub, audience: tenant.id, expiresIn: '1h', ...options };
  // `expiresIn: undefined` means no lifetime option at all (jsonwebtoken rejects an undefined value).
  if (merged.expiresIn === undefined) delete merged.expiresIn;
  return jwt.sign({ name: `Host ${sub}`, ...claims }, secret, merged);
}

/** `header.payload.` with `alg: none`, the classic signature-stripping forgery. */
function unsignedToken(payload: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

function register(body: Record<string, unknown>) {
  return server.request<AuthSessionDto>('POST', '/v1/auth/register', { app: tenant.id, body });
}

function login(username: string, password: string, target: TestServer = server, app: App = tenant) {
  return target.request<AuthSessionDto>('POST', '/v1/auth/login', { app: app.id, body: { username, password } });
}

function refresh(refreshToken: string) {
  return server.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken } });
}

function me(accessToken: string) {
  return server.request<UserDto>('GET', '/v1/me', { token: accessToken });
}

function errorOf(res: ApiResponse): ErrorResponse['error'] {
  return (res.body as ErrorResponse).error;
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: errorOf(res)?.code }).toEqual({ status, code });
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});

afterAll(() => server?.close());

describe('password accounts', () => {
  it('revokes the whole session family when an already-rotated refresh token is presented again, and only that session', async () => {
    const username = `carol_${suffix()}`;
    const registered = await register({ username, password: PASSWORD, name: 'Carol' });
    expect(registered.status).toBe(201);
    const other = registered.body; // a session of its own (the register one), must survive

    const signedIn = await login(username, PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.id).toBe(other.user.id);

    const first = await refresh(signedIn.body.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(signedIn.body.refreshToken);
    const newest = await refresh(first.body.refreshToken);
    expect(newest.status).toBe(200);
    expect(newest.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await me(newest.body.accessToken)).status).toBe(200);

    // The login's refresh token was rotated away: presenting it again means it leaked.
    const reuse = await refresh(signedIn.body.refreshToken);
    expectError(reuse, 401, 'unauthorized');

    expectError(await refresh(newest.body.refreshToken), 401, 'unauthorized');
    expectError(await me(newest.body.accessToken), 401, 'unauthorized');
    expectError(await me(first.body.accessToken), 401, 'unauthorized');
    expectError(await me(signedIn.body.accessToken), 401, 'unauthorized');

    const stillMe = await me(other.accessToken);
    expect(stillMe.status).toBe(200);
    expect(stillMe.body.id).toBe(other.user.id);
    const otherRefreshed = await refresh(other.refreshToken);
    expect(otherRefreshed.status).toBe(200);
    expect((await me(otherRefreshed.body.accessToken)).status).toBe(200);
  });

  it('rejects invalid registrations with 422 naming the field, and duplicate usernames case-insensitively with 409', async () => {
    const valid = { username: `dana_${suffix()}`, password: PASSWORD, name: 'Dana' };
    const invalid: [Record<string, unknown>, string][] = [
      [{ ...valid, password: 'seven77' }, 'body.password'],
      [{ ...valid, email: 'not-an-email' }, 'body.email'],
      [{ username: valid.username, password: valid.password }, 'body.name'],
      [{ ...valid, username: 'bad name!' }, 'body.username'],
    ];
    for (const [body, path] of invalid) {
      const res = await register(body);
      expectError(res, 422, 'validation_failed');
      const details = errorOf(res).details as { path?: string }[];
      expect(Array.isArray(details)).toBe(true);
      expect(details.map((d) => d.path)).toContain(path);
    }
    expect(await server.db('users').where({ appId: tenant.id }).whereRaw('lower(username) = lower(?)', [valid.username])).toHaveLength(0);

    const created = await register(valid);
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ kind: 'member', role: 'user', username: valid.username, name: 'Dana' });
    const serialized = JSON.stringify(created.body);
    expect(serialized).not.toMatch(/passwordHash|password_hash|scrypt\$/i);
    expect(serialized).not.toContain(PASSWORD);

    const row = await server.db('users').where({ id: created.body.user.id }).first();
    expect(row.passwordHash.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(row.passwordHash).not.toBe(PASSWORD);
    expect(row.passwordHash).not.toContain(PASSWORD);

    const duplicate = await register({ ...valid, username: valid.username.toUpperCase(), name: 'Other Dana' });
    expectError(duplicate, 409, 'conflict');
    const count = await server
      .db('users')
      .where({ appId: tenant.id })
      .whereRaw('lower(username) = lower(?)', [valid.username])
      .count('* as n')
      .first();
    expect(Number(count!.n)).toBe(1);
  });

  it('signs in by username or by email, and answers a wrong password and an unknown user with the same 401', async () => {
    const username = `erin_${suffix()}`;
    const email = `${username}@example.com`;
    const created = await register({ username, password: PASSWORD, name: 'Erin', email });
    expect(created.status).toBe(201);

    const byUsername = await login(username.toUpperCase(), PASSWORD);
    expect(byUsername.status).toBe(200);
    expect(byUsername.body.user.id).toBe(created.body.user.id);
    expect((await me(byUsername.body.accessToken)).body.id).toBe(created.body.user.id);
    expect(JSON.stringify(byUsername.body)).not.toMatch(/passwordHash|password_hash|scrypt\$/i);

    const byEmail = await login(email.toUpperCase(), PASSWORD);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.user.id).toBe(created.body.user.id);

    const wrongPassword = await login(username, 'not the password');
    const unknownUser = await login(`nobody_${suffix()}`, PASSWORD);
    expectError(wrongPassword, 401, 'unauthorized');
    expectError(unknownUser, 401, 'unauthorized');
    expect(errorOf(unknownUser).message).toBe(errorOf(wrongPassword).message);
  });
});

describe('sessions', () => {
  it('ends the session on logout: 204, then the access token and the refresh token are refused', async () => {
    const session = await server.member(tenant);
    expect((await me(session.accessToken)).status).toBe(200);

    const out = await server.request('POST', '/v1/auth/logout', {
      token: session.accessToken,
      body: { refreshToken: session.refreshToken },
    });
    expect(out.status).toBe(204);

    expectError(await me(session.accessToken), 401, 'unauthorized');
    expectError(await refresh(session.refreshToken), 401, 'unauthorized');
  });

  it('starts a guest session for a named app, and refuses a missing (400) or unknown (404) app', async () => {
    const guest = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: tenant.id, body: { name: 'Visitor' } });
    expect(guest.status).toBe(201);
    expect(guest.body.user.kind).toBe('guest');
    expect(guest.body.accessToken).toEqual(expect.any(String));
    expect(guest.body.refreshToken).toEqual(expect.any(String));
    const profile = await me(guest.body.accessToken);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: guest.body.user.id, kind: 'guest' });

    expectError(await server.request('POST', '/v1/auth/guest', { body: { name: 'Visitor' } }), 400, 'bad_request');
    expectError(
      await server.request('POST', '/v1/auth/guest', { app: `missing-${suffix()}`, body: { name: 'Visitor' } }),
      404,
      'not_found',
    );
  });
});

describe('host-token exchange', () => {
  it('creates a member from a valid host token and upserts the same user (new name) on the next exchange', async () => {
    const sub = `host-${suffix()}`;
    const first = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', {
      app: tenant.id,
      body: { token: hostToken(sub, { name: 'Frank' }) },
    });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ kind: 'member', name: 'Frank', externalId: sub });

    const second = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', {
      app: tenant.id,
      body: { token: hostToken(sub, { name: 'Franklin' }) },
    });
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.user.name).toBe('Franklin');

    const rows = await server.db('users').where({ appId: tenant.id, externalId: sub });
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toBe('Franklin');
  });

  const refusals: [string, (sub: string, otherApp: App) => string, string][] = [
    ['signed with the wrong secret', (sub) => hostToken(sub, {}, {}, randomBytes(32).toString('hex')), 'unauthorized'],
    [
      'with alg none',
      (sub) => unsignedToken({ sub, name: 'Mallory', aud: tenant.id, iat: nowSeconds(), exp: nowSeconds() + 3600 }),
      'unauthorized',
    ],
    ['that has expired', (sub) => hostToken(sub, { exp: nowSeconds() - 3600 }, { expiresIn: undefined }), 'token_expired'],
    ['for another app (wrong audience)', (sub, otherApp) => hostToken(sub, {}, { audience: otherApp.id }), 'unauthorized'],
    ['expiring more than 24 h ahead', (sub) => hostToken(sub, {}, { expiresIn: '25h' }), 'unauthorized'],
    ['without exp', (sub) => hostToken(sub, {}, { expiresIn: undefined }), 'unauthorized'],
  ];

  for (const [what, build, code] of refusals) {
    it(`refuses a host token ${what} with 401 ${code} and creates no user`, async () => {
      const otherApp = await server.createTenant();
      const sub = `forged-${suffix()}`;
      const token = build(sub, otherApp);
      const res = await server.request('POST', '/v1/auth/exchange', { app: tenant.id, body: { token } });
      expectError(res, 401, code);
      expect(await server.db('users').where({ externalId: sub })).toHaveLength(0);
    });
  }
});

describe('Confab access tokens', () => {
  let victim: AuthSessionDto;
  let claims: jwt.JwtPayload;

  beforeAll(async () => {
    victim = await server.member(tenant);
    claims = jwt.decode(victim.accessToken) as jwt.JwtPayload;
  });

  const forgeries: [string, () => string][] = [
    ['signed with a different secret', () => jwt.sign({ ...claims }, randomBytes(32).toString('hex'), { algorithm: 'HS256' })],
    ['with alg none', () => unsignedToken({ ...claims })],
    [
      'with a tampered payload and the original signature',
      () => {
        const [header, , signature] = victim.accessToken.split('.');
        return `${header}.${b64url({ ...claims, role: 'admin' })}.${signature}`;
      },
    ],
  ];

  for (const [what, forge] of forgeries) {
    it(`refuses an access token ${what} with 401`, async () => {
      expect((await me(victim.accessToken)).status).toBe(200);
      expectError(await me(forge()), 401, 'unauthorized');
    });
  }

  it('answers an expired access token of a live session with 401 token_expired', async () => {
    const { sub, app, role, kind, sid } = claims;
    const sign = (exp: number) =>
      jwt.sign({ app, role, kind, sid, exp }, server.config.jwtSecret, {
        algorithm: 'HS256',
        subject: sub,
        issuer: 'confab',
        audience: 'confab-api',
      });
    // Same claims with a future exp are accepted: only the expiry differs.
    expect((await me(sign(nowSeconds() + 300))).status).toBe(200);
    expectError(await me(sign(nowSeconds() - 60)), 401, 'token_expired');
  });
});

describe('guest merge', () => {
  it("moves a guest's memberships and messages to the member they sign in as, and ends the guest session", async () => {
    const owner = await server.member(tenant);
    const roomRes = await server.request<RoomDto>('POST', '/v1/rooms', {
      token: owner.accessToken,
      body: { name: 'Lobby', kind: 'public' },
    });
    expect(roomRes.status).toBe(201);
    const room = roomRes.body;

    const guest = await server.guest(tenant, 'Wanderer');
    const joined = await server.request('POST', `/v1/rooms/${room.id}/members`, {
      token: guest.accessToken,
      body: { userId: guest.user.id },
    });
    expect(joined.status).toBe(200);
    const sent = await server.request<MessageDto>('POST', `/v1/rooms/${room.id}/messages`, {
      token: guest.accessToken,
      body: { clientId: crypto.randomUUID(), text: 'hi, I was a guest' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.senderId).toBe(guest.user.id);

    const signedIn = await server.request<AuthSessionDto>('POST', '/v1/auth/exchange', {
      app: tenant.id,
      token: guest.accessToken,
      body: { token: hostToken(`merged-${suffix()}`, { name: 'Signed In' }) },
    });
    expect(signedIn.status).toBe(200);
    const member = signedIn.body;
    expect(member.user.kind).toBe('member');
    expect(member.user.id).not.toBe(guest.user.id);

    const members = await server.request<PageDto<MemberDto>>('GET', `/v1/rooms/${room.id}/members`, { token: member.accessToken });
    expect(members.status).toBe(200);
    const memberIds = members.body.items.map((m) => m.user.id);
    expect(memberIds).toContain(member.user.id);
    expect(memberIds).not.toContain(guest.user.id);

    const history = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${room.id}/messages`, { token: member.accessToken });
    expect(history.status).toBe(200);
    const message = history.body.items.find((m) => m.id === sent.body.id);
    expect(message?.senderId).toBe(member.user.id);

    expectError(await me(guest.accessToken), 401, 'unauthorized');
  });
});

describe('auth throttle', () => {
  it('answers the 4th failed login for one username within the window with 429 rate_limited and Retry-After', async () => {
    const limited = await startTestServer({ env: { AUTH_RATE: '3/minute' } });
    try {
      const app = await limited.createTenant();
      const username = `target_${suffix()}`;
      for (let i = 0; i < 3; i++) expectError(await login(username, `guess ${i}`, limited, app), 401, 'unauthorized');

      const fourth = await login(username, 'guess 3', limited, app);
      expectError(fourth, 429, 'rate_limited');
      const retryAfter = fourth.headers.get('retry-after');
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      const details = errorOf(fourth).details as { retryAfterMs?: number };
      expect(details.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
