import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AttachmentDto, AuthSessionDto, MessageDto, PageDto, RetentionSettingsDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { createLogger } from '../src/logger.js';
import { createMemoryMessageCache } from '../src/redis/message-cache.js';
import { Retention } from '../src/services/moderation/retention.js';
import { createDatabaseStorage, createDiskStorage } from '../src/services/uploads/storage.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let server: TestServer;
let tenant: App;
let admin: AuthSessionDto;
let agent: AuthSessionDto;
let ana: AuthSessionDto;

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN: 'retention-operator-token-0123456789' } });
  tenant = await server.createTenant();
  admin = await server.member(tenant, 'ret-admin', { role: 'admin', name: 'Ada' });
  agent = await server.member(tenant, 'ret-agent', { role: 'agent', name: 'Rui' });
  ana = await server.member(tenant, 'ret-ana', { name: 'Ana' });
});

afterAll(async () => {
  await server?.close();
});

const api = <T>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
  server.request<T>(method, path, { token: who.accessToken, body });

/** A group room holding `old` messages written `days` ago (seq 1..old) and then `recent` sent now. */
async function roomWithHistory(owner: AuthSessionDto, old: number, days: number, recent: string[]): Promise<RoomDto> {
  const room = (await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'group', name: 'History' })).body;
  await server.db.raw(
    `insert into messages (room_id, seq, sender_id, text, created_at)
     select ?, g, ?, 'old words ' || g, now() - interval '1 day' * ? - interval '1 second' * (? - g)
     from generate_series(1, ?) g`,
    [room.id, owner.user.id, days, old, old],
  );
  await server.db('rooms').where({ id: room.id }).update({ lastSeq: old });
  // Embedded, that insert holds the event loop; let the keep-alive timers it delayed fire first.
  await sleep(50);
  for (const [i, text] of recent.entries()) {
    const res = await api<MessageDto>(owner, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: `recent-${room.id}-${i}`, text });
    expect(res.status).toBe(201);
  }
  return room;
}

async function history(who: AuthSessionDto, roomId: string, query = ''): Promise<PageDto<MessageDto>> {
  const res = await api<PageDto<MessageDto>>(who, 'GET', `/v1/rooms/${roomId}/messages${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('retention settings', () => {
  it('are read by staff, changed by admins only, validated, and null keeps for ever', async () => {
    expect((await api<RetentionSettingsDto>(agent, 'GET', '/v1/moderation/retention')).body).toEqual({
      messagesDays: null,
      guestsDays: null,
    });
    expect((await api(ana, 'GET', '/v1/moderation/retention')).status).toBe(403);
    expect((await api(agent, 'PUT', '/v1/moderation/retention', { messagesDays: 30 })).status).toBe(403);
    for (const bad of [{ messagesDays: 0 }, { guestsDays: 3651 }, { messagesDays: 1.5 }, { messagesDays: '30' }, {}, { other: 1 }]) {
      const res = await api<{ error: { code: string } }>(admin, 'PUT', '/v1/moderation/retention', bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const set = await api<RetentionSettingsDto>(admin, 'PUT', '/v1/moderation/retention', { messagesDays: 30 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ messagesDays: 30, guestsDays: null });
    // A change to one field keeps the other; null removes it.
    expect((await api<RetentionSettingsDto>(admin, 'PUT', '/v1/moderation/retention', { guestsDays: 90 })).body).toEqual({
      messagesDays: 30,
      guestsDays: 90,
    });
    expect((await api<RetentionSettingsDto>(admin, 'PUT', '/v1/moderation/retention', { guestsDays: null })).body).toEqual({
      messagesDays: 30,
      guestsDays: null,
    });
    // The operator's app settings take the same field.
    const operator = await server.request('PATCH', `/v1/admin/apps/${tenant.id}/settings`, {
      token: server.config.adminToken!,
      body: { retention: { messagesDays: 30, guestsDays: null } },
    });
    expect(operator.status, JSON.stringify(operator.body)).toBe(200);
    expect((await api<RetentionSettingsDto>(agent, 'GET', '/v1/moderation/retention')).body.messagesDays).toBe(30);
  });
});

describe('retention in housekeeping', () => {
  it('deletes messages older than the setting, their files and their cached page, and keeps the rest and other apps', async () => {
    expect((await api(admin, 'PUT', '/v1/moderation/retention', { messagesDays: 30 })).status).toBe(200);
    const room = await roomWithHistory(ana, 2_500, 40, ['still here', 'and this']);
    // One old message carries a file: its bytes go too.
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'old.png');
    const uploaded = (await (
      await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${ana.accessToken}` }, body: form })
    ).json()) as AttachmentDto;
    const withFile = await api<MessageDto>(ana, 'POST', `/v1/rooms/${room.id}/messages`, {
      clientId: 'old-file',
      text: 'old file',
      attachments: [uploaded.id],
    });
    expect(withFile.status).toBe(201);
    await server
      .db('messages')
      .where({ id: withFile.body.id })
      .update({ createdAt: server.db.raw("now() - interval '31 days'") });
    // Another app without retention keeps its old messages.
    const other = await server.createTenant();
    const olga = await server.member(other, 'ret-olga', { name: 'Olga' });
    const otherRoom = await roomWithHistory(olga, 20, 400, []);
    // The first page is read (and cached) before the run.
    const before = await history(ana, room.id);
    expect(before.items.map((m) => m.text)).toEqual(expect.arrayContaining(['still here', 'and this', 'old file']));

    await server.app.housekeeping.run();

    const after = await history(ana, room.id);
    expect(after.items.map((m) => m.text)).toEqual(['still here', 'and this']);
    expect(after.hasMore).toBe(false);
    // Seq numbers are kept: the history starts later, nothing is renumbered.
    expect(after.items.map((m) => m.seq)).toEqual([2_501, 2_502]);
    expect(Number((await server.db('messages').where({ roomId: room.id }).count({ n: '*' }).first())!.n)).toBe(2);
    expect(await server.db('attachments').where({ id: uploaded.id }).first()).toBeUndefined();
    const file = await fetch(`${server.url}${uploaded.url}`, { headers: { authorization: `Bearer ${ana.accessToken}` } });
    expect(file.status).toBe(404);
    expect((await history(olga, otherRoom.id)).items).toHaveLength(20);
    // A new message still gets the next seq.
    const next = await api<MessageDto>(ana, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: 'after-retention', text: 'next' });
    expect(next.body.seq).toBe(2_504);
  });

  it('works in bounded batches: a run with a batch budget deletes that much and the next run goes on', async () => {
    const own = await server.createTenant();
    const owner = await server.member(own, 'ret-batches', { name: 'Bea' });
    const room = await roomWithHistory(owner, 2_300, 60, ['fresh']);
    const storage = server.config.databaseUrl
      ? createDatabaseStorage(server.db)
      : createDiskStorage(join(server.config.dataDir, 'uploads'));
    const retention = new Retention(
      server.db,
      server.app.services.apps,
      createMemoryMessageCache(),
      server.app.services.roomCache,
      storage,
      createLogger('silent'),
      null,
      {
        maxBatches: 1,
      },
    );
    const count = async () => Number((await server.db('messages').where({ roomId: room.id }).count({ n: '*' }).first())!.n);
    const first = await retention.expireMessages(own.id, 30);
    expect(first.messages).toBe(1_000);
    expect(await count()).toBe(1_301);
    if (server.config.databaseUrl) {
      // While a batch's rows are locked by a run on another node, this one skips them rather than wait
      // (PostgreSQL; embedded PGlite is one connection, with no other node).
      await server.db.transaction(async (trx) => {
        await trx.raw(
          "select id from messages where room_id = ? and created_at < now() - interval '30 days' order by seq limit 500 for update",
          [room.id],
        );
        expect((await retention.expireMessages(own.id, 30)).messages).toBe(800);
      });
    } else {
      expect((await retention.expireMessages(own.id, 30)).messages).toBe(1_000);
    }
    await retention.expireMessages(own.id, 30);
    expect(await count()).toBe(1);
    expect((await history(owner, room.id)).items.map((m) => m.text)).toEqual(['fresh']);
  });

  it('erases guests idle for longer than guestsDays, and keeps active guests, members and other apps', async () => {
    const own = await server.createTenant();
    const ownAdmin = await server.member(own, 'ret-guest-admin', { role: 'admin', name: 'Gil' });
    expect((await api(ownAdmin, 'PUT', '/v1/moderation/retention', { guestsDays: 90 })).status).toBe(200);
    const idle = await server.guest(own, 'Idle Ivy');
    const active = await server.guest(own, 'Active Abe');
    const member = await server.member(own, 'ret-idle-member', { name: 'Mia' });
    const elsewhere = await server.guest(tenant, 'Other Otto');
    // Ivy wrote in a support conversation a long time ago.
    const started = await api<{ id: string }>(idle, 'POST', '/v1/support/conversations', {
      text: 'Do you ship to Faro?',
      clientId: 'ivy-1',
    });
    expect(started.status).toBe(201);
    for (const user of [idle, member, elsewhere]) {
      await server
        .db('users')
        .where({ id: user.user.id })
        .update({ lastSeenAt: server.db.raw("now() - interval '120 days'"), createdAt: server.db.raw("now() - interval '200 days'") });
    }

    await server.app.housekeeping.run();

    const row = async (id: string) => server.db('users').where({ id }).first('name', 'erased_at');
    expect(await row(idle.user.id)).toMatchObject({ erasedAt: expect.any(Date) });
    expect((await row(idle.user.id)).name).not.toBe('Idle Ivy');
    const texts = await server.db('messages').where({ roomId: started.body.id, senderId: idle.user.id }).pluck('text');
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t: string) => t === '')).toBe(true);
    for (const kept of [active, member, elsewhere]) expect((await row(kept.user.id)).erasedAt).toBeNull();
    // Erased, the guest's session is over.
    expect((await api(idle, 'GET', '/v1/me')).status).toBe(401);
    expect((await api(active, 'GET', '/v1/me')).status).toBe(200);
  });
});
