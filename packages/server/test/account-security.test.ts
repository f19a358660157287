import { randomBytes } from 'node:crypto';

import type { AuthSessionDto, ErrorResponse, PageDto, UserDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { type ApiResponse, startTestServer, type TestServer } from './helpers/server.js';

// Registration hashes with scrypt N=2^17: this file keeps real registrations to a handful.

let server: TestServer;
let tenant: App;

const PASSWORD = 'violet kettle 42 drums';
const suffix = () => randomBytes(3).toString('hex');

function errorOf(res: ApiResponse): ErrorResponse['error'] {
  return (res.body as ErrorResponse).error;
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: errorOf(res)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

/** A client address as the proxy in front of the server reports it (TRUST_PROXY=1). */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function register(target: TestServer, app: App, body: Record<string, unknown>, ip?: string) {
  return target.request<AuthSessionDto>('POST', '/v1/auth/register', { app: app.id, body, headers: ip ? from(ip) : undefined });
}

/** A member signed in through a host-signed token, from `ip` (exchange is throttled per IP too). */
async function memberFrom(target: TestServer, app: App, externalId: string, ip: string): Promise<AuthSessionDto> {
  const token = jwt.sign({ name: externalId }, app.secret, { algorithm: 'HS256', subject: externalId, audience: app.id, expiresIn: '1h' });
  const res = await target.request<AuthSessionDto>('POST', '/v1/auth/exchange', { app: app.id, body: { token }, headers: from(ip) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

function login(target: TestServer, app: App, username: string, password: string, ip: string) {
  return target.request<AuthSessionDto>('POST', '/v1/auth/login', { app: app.id, body: { username, password }, headers: from(ip) });
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});

afterAll(() => server?.close());

describe('user directory', () => {
  it('refuses guests GET /v1/users with 403 forbidden, while members still list the members of their app', async () => {
    const member = await server.member(tenant, `m-${suffix()}`, { name: 'Listed Member' });
    const guest = await server.guest(tenant, 'Curious Visitor');

    const refused = await server.request('GET', '/v1/users?limit=100', { token: guest.accessToken });
    expectError(refused, 403, 'forbidden');
    expect(errorOf(refused).message).toMatch(/guest/i);
    expect(JSON.stringify(refused.body)).not.toContain('Listed Member');
    expectError(await server.request('GET', '/v1/users?q=Listed', { token: guest.accessToken }), 403, 'forbidden');

    const other = await server.member(tenant, `m-${suffix()}`);
    const listed = await server.request<PageDto<UserDto>>('GET', '/v1/users?limit=100', { token: other.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((u) => u.id)).toContain(member.user.id);
  });
});

describe('no account oracle', () => {
  it('answers a taken username and a taken email on register with the same generic 409, naming neither', async () => {
    const username = `owner_${suffix()}`;
    const email = `${username}@example.com`;
    expect((await register(server, tenant, { username, email, password: PASSWORD, name: 'Owner' })).status).toBe(201);

    const sameUsername = await register(server, tenant, {
      username: username.toUpperCase(),
      email: `new_${suffix()}@example.com`,
      password: PASSWORD,
      name: 'X',
    });
    const sameEmail = await register(server, tenant, { username: `new_${suffix()}`, email, password: PASSWORD, name: 'Y' });
    expectError(sameUsername, 409, 'conflict');
    expectError(sameEmail, 409, 'conflict');
    expect(errorOf(sameUsername).message).toBe(errorOf(sameEmail).message);
    expect(errorOf(sameEmail).message).not.toMatch(/taken|already registered|exists/i);
    expect(
      Number((await server.db('users').where({ appId: tenant.id }).whereRaw('lower(email) = ?', [email]).count('* as n').first())!.n),
    ).toBe(1);
  });

  it("answers PATCH /v1/me to another member's email with a generic 409 that does not say the email is registered", async () => {
    const owner = await server.member(tenant, `e-${suffix()}`, { email: `known_${suffix()}@example.com` });
    const prober = await server.member(tenant, `p-${suffix()}`);
    const res = await server.request('PATCH', '/v1/me', { token: prober.accessToken, body: { email: owner.user.email } });
    expectError(res, 409, 'conflict');
    expect(errorOf(res).message).not.toMatch(/taken|already registered|exists/i);
    expect((await server.db('users').where({ id: prober.user.id }).first('email')).email).toBeNull();
  });

  it('throttles PATCH /v1/me per user (whatever the IP) and per IP (whoever the user), and register per IP', async () => {
    const limited = await startTestServer({ env: { AUTH_RATE: '3/minute', TRUST_PROXY: '1' } });
    try {
      const app = await limited.createTenant();
      const patch = (session: AuthSessionDto, ip: string, name: string) =>
        limited.request('PATCH', '/v1/me', { token: session.accessToken, body: { name }, headers: from(ip) });

      const roaming = await memberFrom(limited, app, 'roaming', '192.0.2.1');
      for (let i = 0; i < 3; i++) expect((await patch(roaming, `198.51.100.${i + 1}`, `Name ${i}`)).status).toBe(200);
      const fourth = await patch(roaming, '198.51.100.4', 'Name 3');
      expectError(fourth, 429, 'rate_limited');
      expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await limited.db('users').where({ id: roaming.user.id }).first('name')).name).toBe('Name 2');

      const sharedIp = '198.51.100.50';
      for (let i = 0; i < 3; i++)
        expect((await patch(await memberFrom(limited, app, `office-${i}`, `192.0.2.${i + 2}`), sharedIp, 'Office')).status).toBe(200);
      expectError(await patch(await memberFrom(limited, app, 'office-3', '192.0.2.5'), sharedIp, 'Office'), 429, 'rate_limited');

      // Invalid bodies still count, so this costs no password hashing.
      for (let i = 0; i < 3; i++) expectError(await register(limited, app, { username: '!' }, '198.51.100.60'), 422, 'validation_failed');
      expectError(await register(limited, app, { username: '!' }, '198.51.100.60'), 429, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('login throttle', () => {
  it('lets the owner sign in from a fresh IP after strangers failed many times from many IPs, while one IP stays limited', async () => {
    const limited = await startTestServer({ env: { AUTH_RATE: '3/minute', TRUST_PROXY: '1' } });
    try {
      const app = await limited.createTenant();
      const username = `victim_${suffix()}`;
      expect((await register(limited, app, { username, password: PASSWORD, name: 'Victim' }, '192.0.2.200')).status).toBe(201);

      for (let i = 0; i < 6; i++)
        expectError(await login(limited, app, username, `guess number ${i}`, `203.0.113.${i + 1}`), 401, 'unauthorized');
      const owner = await login(limited, app, username, PASSWORD, '192.0.2.10');
      expect(owner.status, JSON.stringify(owner.body)).toBe(200);
      expect(owner.body.user.username).toBe(username);

      const attacker = '203.0.113.99';
      for (let i = 0; i < 3; i++) expectError(await login(limited, app, username, `guess again ${i}`, attacker), 401, 'unauthorized');
      expectError(await login(limited, app, username, PASSWORD, attacker), 429, 'rate_limited');
      expectError(await login(limited, app, `someone_else_${suffix()}`, 'anything at all', attacker), 429, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('password policy', () => {
  it('refuses common passwords (any case) and ones containing the username or email name with 422, creating nobody', async () => {
    const username = `marigold_${suffix()}`;
    const email = `zebra.crossing.${suffix()}@example.com`;
    const local = email.split('@')[0];
    const weak = [
      'password',
      '12345678',
      'PassWord',
      'Iloveyou',
      'qwertyuiop',
      username,
      username.toUpperCase(),
      `${username}!!`,
      `my ${local} pw`,
    ];
    for (const password of weak) {
      const res = await register(server, tenant, { username, email, password, name: 'Mari' });
      expectError(res, 422, 'validation_failed');
      const details = errorOf(res).details as { path: string; message: string }[];
      expect(
        details.map((d) => d.path),
        password,
      ).toEqual(['body.password']);
      expect(itemAt(details, 0).message).toMatch(/common|username|email/i);
    }
    expect(await server.db('users').where({ appId: tenant.id }).whereRaw('lower(username) = ?', [username]).first()).toBeUndefined();

    const strong = await register(server, tenant, { username, email, password: PASSWORD, name: 'Mari' });
    expect(strong.status, JSON.stringify(strong.body)).toBe(201);
  });
});
