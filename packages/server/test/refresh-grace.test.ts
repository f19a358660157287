import type { AuthSessionDto, ErrorResponse, UserDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { REFRESH_REUSE_GRACE_MS } from '../src/services/auth/auth-service.js';
import { hashRefreshToken } from '../src/services/auth/tokens.js';
import { type ApiResponse, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: App;

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36';

function refresh(refreshToken: string, userAgent = BROWSER) {
  return server.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken }, headers: { 'user-agent': userAgent } });
}

function me(accessToken: string) {
  return server.request<UserDto>('GET', '/v1/me', { token: accessToken });
}

function expectUnauthorized(res: ApiResponse): void {
  expect({ status: res.status, code: (res.body as ErrorResponse).error?.code }).toEqual({ status: 401, code: 'unauthorized' });
}

/** Moves a rotation into the past, as if `ms` had gone by since it. */
async function age(refreshToken: string, ms: number): Promise<void> {
  await server
    .db('refresh_tokens')
    .where({ tokenHash: hashRefreshToken(refreshToken) })
    .update({ replacedAt: server.db.raw(`replaced_at - interval '${Math.ceil(ms)} milliseconds'`) });
}

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});

afterAll(() => server?.close());

describe('refresh-token reuse grace window', () => {
  it('answers two tabs refreshing the same token at once with the same successor, and keeps the session', async () => {
    const session = await server.guest(tenant);
    const [a, b] = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refreshToken).toBe(b.body.refreshToken);
    expect(a.body.refreshToken).not.toBe(session.refreshToken);
    expect(a.body.user.id).toBe(session.user.id);
    expect((await me(a.body.accessToken)).status).toBe(200);
    expect((await me(b.body.accessToken)).status).toBe(200);
    // The shared successor rotates normally afterwards.
    const next = await refresh(a.body.refreshToken);
    expect(next.status).toBe(200);
    expect((await me(next.body.accessToken)).status).toBe(200);
  });

  it('gives a late second tab (a few seconds later) the same successor when it is still unused', async () => {
    const session = await server.guest(tenant);
    const first = await refresh(session.refreshToken);
    await age(session.refreshToken, REFRESH_REUSE_GRACE_MS - 3_000);
    const again = await refresh(session.refreshToken);
    expect(again.status).toBe(200);
    expect(again.body.refreshToken).toBe(first.body.refreshToken);
    expect(Date.parse(again.body.refreshExpiresAt)).toBe(Date.parse(first.body.refreshExpiresAt));
  });

  it('still revokes the whole family when the old token comes back after the window', async () => {
    const session = await server.guest(tenant);
    const first = await refresh(session.refreshToken);
    await age(session.refreshToken, REFRESH_REUSE_GRACE_MS + 1_000);
    expectUnauthorized(await refresh(session.refreshToken));
    expectUnauthorized(await me(first.body.accessToken));
    expectUnauthorized(await refresh(first.body.refreshToken));
  });

  it('still revokes the whole family when the successor was already used', async () => {
    const session = await server.guest(tenant);
    const first = await refresh(session.refreshToken);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expectUnauthorized(await refresh(session.refreshToken));
    expectUnauthorized(await me(second.body.accessToken));
    expectUnauthorized(await refresh(second.body.refreshToken));
  });

  it('still revokes the whole family when another client presents the old token within the window', async () => {
    const session = await server.guest(tenant);
    const first = await refresh(session.refreshToken);
    expectUnauthorized(await refresh(session.refreshToken, 'curl/8.5.0'));
    expectUnauthorized(await me(first.body.accessToken));
    expectUnauthorized(await refresh(first.body.refreshToken));
  });

  it('keeps only a sealed successor in the database, never the token itself', async () => {
    const session = await server.guest(tenant);
    const first = await refresh(session.refreshToken);
    const rows = await server.db('refresh_tokens').where({ userId: session.user.id });
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(first.body.refreshToken);
    expect(stored).not.toContain(session.refreshToken);
    const rotated = rows.find((r: { tokenHash: string }) => r.tokenHash === hashRefreshToken(session.refreshToken));
    expect(rotated.successorSealed).toEqual(expect.any(String));
  });
});
