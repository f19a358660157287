import type { AttachmentDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './helpers/server.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

async function upload(token: string): Promise<AttachmentDto> {
  const form = new FormData();
  form.append('file', new Blob([PNG]), 'pixel.png');
  const res = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).toBe(201);
  return (await res.json()) as AttachmentDto;
}

async function backdate(table: string, id: string, column: string, days: number): Promise<void> {
  await server
    .db(table)
    .where({ id })
    .update({ [column]: server.db.raw(`now() - interval '${days} days'`) });
}

describe('housekeeping', () => {
  it('removes uploads abandoned for a day, with their bytes, and keeps sent and recent ones', async () => {
    const tenant = await server.createTenant();
    const ana = await server.member(tenant);
    const room = await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { kind: 'group', name: 'Files' } });
    const [abandoned, sent, recent] = [await upload(ana.accessToken), await upload(ana.accessToken), await upload(ana.accessToken)];
    const send = await server.request('POST', `/v1/rooms/${room.body.id}/messages`, {
      token: ana.accessToken,
      body: { clientId: 'with-file', text: '', attachments: [sent.id] },
    });
    expect(send.status).toBe(201);
    await backdate('attachments', abandoned.id, 'created_at', 2);
    await backdate('attachments', sent.id, 'created_at', 2);

    const result = await server.app.housekeeping.sweep();
    expect(result.uploads).toBe(1);
    expect(await server.db('attachments').where({ id: abandoned.id }).first()).toBeUndefined();
    if (server.config.databaseUrl) expect(await server.db('upload_chunks').where({ key: abandoned.id }).first()).toBeUndefined();
    // The thumbnail went with it.
    expect(abandoned.thumbnail).not.toBeNull();
    const gone = await fetch(`${server.url}${abandoned.url}`, { headers: { authorization: `Bearer ${ana.accessToken}` } });
    expect(gone.status).toBe(404);
    for (const kept of [sent, recent]) {
      const res = await fetch(`${server.url}${kept.url}`, { headers: { authorization: `Bearer ${ana.accessToken}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).length).toBe(kept.size);
    }
  });

  it('drops delivered webhook deliveries after 30 days and keeps pending and failed ones', async () => {
    const tenant = await server.createTenant();
    const [hook] = await server
      .db('webhooks')
      .insert({ appId: tenant.id, url: 'http://127.0.0.1:9/', secret: 's', events: ['message.created'], active: false })
      .returning('id');
    // Not due for a day: the dispatcher leaves them alone while the test looks.
    const rows = await server
      .db('webhook_deliveries')
      .insert(
        ['delivered', 'pending', 'failed'].map((status) => ({
          webhookId: hook.id,
          event: 'message.created',
          payload: JSON.stringify({}),
          status,
          nextAttemptAt: server.db.raw("now() + interval '1 day'"),
          deliveredAt: status === 'delivered' ? server.db.raw("now() - interval '31 days'") : null,
        })),
      )
      .returning(['id', 'status']);
    const result = await server.app.housekeeping.sweep();
    expect(result.deliveries).toBeGreaterThanOrEqual(1);
    const left: { status: string }[] = await server
      .db('webhook_deliveries')
      .whereIn(
        'id',
        rows.map((r: { id: string }) => r.id),
      )
      .select('status');
    expect(left.map((r) => r.status).sort()).toEqual(['failed', 'pending']);
  });
});
