import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { AuthSessionDto, MessageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { sleep } from './helpers/wait.js';

const ADMIN_TOKEN = randomBytes(24).toString('hex');

interface Archive {
  format: string;
  profile: { id: string; email?: string | null };
  rooms: { id: string; role: string; readSeq: number }[];
  messages: {
    id: string;
    roomId: string;
    text: string;
    deletedAt: string | null;
    reactions: { emoji: string; count: number }[];
    readBy: number;
    attachments: { filename: string }[];
  }[];
  reactions: { messageId: string; emoji: string }[];
  uploads: { id: string; filename: string; download: string }[];
}

describe('data export: GET /v1/me/export and the operator’s per-user export', () => {
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;

  const api = <T = unknown>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: who.accessToken, body });
  const download = (path: string, token: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    server = await startTestServer({ env: { ADMIN_TOKEN } });
    tenant = await server.createTenant();
    ana = await server.member(tenant, `ext-ana-${randomBytes(3).toString('hex')}`, { name: 'Ana', email: 'ana.private@example.com' });
    bob = await server.member(tenant, `ext-bob-${randomBytes(3).toString('hex')}`, {
      name: 'Bob Secretname',
      email: 'bob.private@example.com',
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('holds the profile, rooms, own messages with reactions, reads and files, own reactions and uploads; nobody else’s data', async () => {
    const room = (await api<RoomDto>(ana, 'POST', '/v1/rooms', { kind: 'group', name: 'Trip', memberIds: [bob.user.id] })).body;
    const say = async (who: AuthSessionDto, text: string, clientId: string) =>
      (await api<MessageDto>(who, 'POST', `/v1/rooms/${room.id}/messages`, { text, clientId })).body;
    const first = await say(ana, 'Tickets are booked', 'exp-1');
    const second = await say(ana, 'Oops, wrong room', 'exp-2');
    const bobs = await say(bob, 'Bob private words', 'exp-3');
    expectStatus(await api(ana, 'DELETE', `/v1/messages/${second.id}`), 200);
    expectStatus(await api(bob, 'PUT', `/v1/messages/${first.id}/reactions/${encodeURIComponent('👍')}`), 200);
    expectStatus(await api(ana, 'PUT', `/v1/messages/${bobs.id}/reactions/${encodeURIComponent('🎉')}`), 200);
    expectStatus(await api(bob, 'POST', `/v1/rooms/${room.id}/read`, { seq: Number(first.seq) }), 200);
    const [upload] = (await server
      .db('attachments')
      .insert({
        appId: tenant.id,
        uploaderId: ana.user.id,
        messageId: first.id,
        filename: 'tickets.pdf',
        mime: 'application/pdf',
        size: 1234,
        storageKey: 'k',
      })
      .returning('id')) as { id: string }[];

    const res = await download('/v1/me/export', ana.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="confab-export-${ana.user.id}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
    );
    const text = await res.text();
    const archive = JSON.parse(text) as Archive;
    expect(archive.format).toBe('confab-export-1');
    expect(archive.profile).toMatchObject({ id: ana.user.id, email: 'ana.private@example.com' });
    expect(archive.rooms).toEqual([expect.objectContaining({ id: room.id, role: 'owner' })]);
    expect(archive.messages.map((m) => m.id)).toEqual([first.id, second.id]);
    expect(archive.messages[0]).toMatchObject({ text: 'Tickets are booked', reactions: [{ emoji: '👍', count: 1 }], readBy: 1 });
    expect(archive.messages[0]!.attachments).toEqual([expect.objectContaining({ filename: 'tickets.pdf' })]);
    expect(archive.messages[1]).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(archive.reactions).toEqual([expect.objectContaining({ messageId: bobs.id, emoji: '🎉' })]);
    expect(archive.uploads).toEqual([
      expect.objectContaining({ id: upload!.id, filename: 'tickets.pdf', download: `/v1/uploads/${upload!.id}` }),
    ]);
    for (const secret of ['Bob private words', 'bob.private@example.com', 'Secretname', 'Oops, wrong room'])
      expect(text).not.toContain(secret);
  });

  it('streams the archive of a user with 100,000 messages in bounded memory, every message in it', async () => {
    const heavy = await server.member(tenant, `ext-heavy-${randomBytes(3).toString('hex')}`, { name: 'Heavy' });
    const room = (await api<RoomDto>(heavy, 'POST', '/v1/rooms', { kind: 'group', name: 'Diary' })).body;
    await server.db.raw(
      `insert into messages (room_id, seq, sender_id, text, created_at)
       select ?, g, ?, 'diary entry number ' || g || ' ' || repeat('x', 200), now() - interval '1 millisecond' * (100000 - g)
       from generate_series(1, 100000) g`,
      [room.id, heavy.user.id],
    );
    await server.db('rooms').where({ id: room.id }).update({ lastSeq: 100_000 });
    // Embedded, that insert holds the event loop for seconds; let the keep-alive timers it delayed close idle
    // connections now, not under the next request (which would then fail with ECONNRESET).
    await sleep(100);

    // Retained heap, not garbage: a full collection before each sample (gc exposed for this test).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const res = await download('/v1/me/export', heavy.accessToken);
    expect(res.status).toBe(200);
    // Read as it comes, counting entries, without keeping it: the test must not hold the archive either.
    const marker = '"diary entry number ';
    let bytes = 0;
    let entries = 0;
    let chunks = 0;
    let tail = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      const text = tail + decoder.decode(chunk, { stream: true });
      entries += text.split(marker).length - 1;
      // Shorter than the marker: a match can never lie wholly inside it, so none is counted twice.
      tail = text.slice(-(marker.length - 1));
      if (++chunks % 100 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    const growthMb = (peak - before) / 1024 / 1024;
    const archiveMb = bytes / 1024 / 1024;
    console.log(
      `export of 100,000 messages: ${archiveMb.toFixed(1)} MB streamed in ${chunks} chunks; retained heap peak +${growthMb.toFixed(1)} MB`,
    );
    expect(entries).toBe(100_000);
    // Held whole, the archive alone (as a string) would be more than its size in heap.
    expect(growthMb).toBeLessThan(archiveMb / 4);
  }, 120_000);

  it('lets the operator export any user of an app, and nobody else; throttles people at 5 an hour', async () => {
    const path = `/v1/admin/apps/${tenant.id}/users/${bob.user.id}/export`;
    const res = await download(path, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    const archive = (await res.json()) as Archive;
    expect(archive.profile).toMatchObject({ id: bob.user.id, email: 'bob.private@example.com' });
    expect(archive.messages.map((m) => m.text)).toEqual(['Bob private words']);
    expect((await download(path, ana.accessToken)).status).toBe(401);
    const other = await server.createTenant();
    expect((await download(`/v1/admin/apps/${other.id}/users/${bob.user.id}/export`, ADMIN_TOKEN)).status).toBe(404);

    const carol = await server.member(tenant);
    for (let i = 0; i < 5; i++) expect((await download('/v1/me/export', carol.accessToken)).status).toBe(200);
    const limited = await api(carol, 'GET', '/v1/me/export');
    expect({ status: limited.status, code: replyError(limited.body)?.code }).toEqual({ status: 429, code: 'rate_limited' });
  });
});
