import type { AttachmentDto, AuthSessionDto, StorageUsageDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: App;
let admin: AuthSessionDto;
let ana: AuthSessionDto;
let bob: AuthSessionDto;

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
  admin = await server.member(tenant, 'quota-admin', { role: 'admin' });
  ana = await server.member(tenant, 'quota-ana');
  bob = await server.member(tenant, 'quota-bob');
});

afterAll(async () => {
  await server?.close();
});

/** Text of `bytes` bytes (text is stored as sent, so its size is exactly that). */
const text = (bytes: number, fill = 'a') => Buffer.from(fill.repeat(bytes));

async function upload(session: AuthSessionDto, bytes: Buffer): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'text/plain' }), 'notes.txt');
  const res = await fetch(`${server.url}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

const usage = async (session: AuthSessionDto) => {
  const res = await server.request<StorageUsageDto>('GET', '/v1/storage/usage', { token: session.accessToken });
  expectStatus(res, 200);
  return res.body;
};

describe('storage quotas', () => {
  it('lets only admins set them, and counts what each person stored', async () => {
    const refused = await server.request('PUT', '/v1/storage/quota', { token: ana.accessToken, body: { userBytes: 1000 } });
    expectStatus(refused, 403, 'forbidden');
    const bad = await server.request('PUT', '/v1/storage/quota', { token: admin.accessToken, body: { userBytes: -1 } });
    expectStatus(bad, 422, 'validation_failed');

    expect((await upload(ana, text(300))).status).toBe(201);
    const mine = await usage(ana);
    expect(mine).toEqual({ user: { usedBytes: 300, limitBytes: null } });
    const all = await usage(admin);
    expect(all.app).toMatchObject({ usedBytes: 300, limitBytes: null, topUsers: [{ userId: ana.user.id, usedBytes: 300 }] });
  });

  it('refuses the upload that crosses the per-user quota with payload_too_large and the numbers', async () => {
    const set = await server.request<StorageUsageDto>('PUT', '/v1/storage/quota', { token: admin.accessToken, body: { userBytes: 1000 } });
    expectStatus(set, 200);
    expect((await upload(ana, text(700))).status).toBe(201); // 300 + 700 = 1000: exactly the quota
    const over = await upload(ana, text(1));
    expect(over.status).toBe(413);
    expect(replyError(over.body)).toMatchObject({
      code: 'payload_too_large',
      details: { scope: 'user', usedBytes: 1000, limitBytes: 1000 },
    });
    // Someone else of the app still has room of their own.
    expect((await upload(bob, text(900))).status).toBe(201);
    expect((await usage(ana)).user).toEqual({ usedBytes: 1000, limitBytes: 1000 });
  });

  it('refuses the upload that crosses the app quota, and concurrent uploads cannot cross it together', async () => {
    await server.request('PUT', '/v1/storage/quota', { token: admin.accessToken, body: { userBytes: null, appBytes: 4000 } });
    // Used: 1900. Ten concurrent uploads of 500 bytes: at most four fit (3,900 of 4,000).
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => upload(i % 2 ? ana : bob, text(500, String(i)))));
    const created = results.filter((r) => r.status === 201).length;
    expect(created).toBe(4);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(replyError(r.body)).toMatchObject({ code: 'payload_too_large', details: { scope: 'app', limitBytes: 4000 } });
    }
    expect((await usage(admin)).app?.usedBytes).toBe(3900);
  });

  it('gives the room back when files are removed (housekeeping of unsent uploads)', async () => {
    const before = (await usage(admin)).app!.usedBytes;
    await server
      .db('attachments')
      .where({ app_id: tenant.id })
      .update({ created_at: server.db.raw("now() - interval '2 days'") });
    const swept = await server.app.housekeeping.sweep();
    expect(swept.uploads).toBeGreaterThan(0);
    const after = (await usage(admin)).app!.usedBytes;
    expect(after).toBeLessThan(before);
    expect(after).toBe(0);
    const file = (await upload(ana, text(100))).body as AttachmentDto;
    expect(file.size).toBe(100);
  });
});
