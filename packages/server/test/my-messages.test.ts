import type { AuthSessionDto, MessageDto, PageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';

describe('GET /v1/me/messages: your own messages across every room', () => {
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let rooms: RoomDto[];

  const api = <T = unknown>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: who.accessToken, body });
  let sent = 0;
  const say = async (who: AuthSessionDto, room: RoomDto, text: string) => {
    const res = await api<MessageDto>(who, 'POST', `/v1/rooms/${room.id}/messages`, { text, clientId: `my-${sent++}` });
    expectStatus(res, 201);
    return res.body;
  };

  /** Every page of `who`'s messages at `limit` a page. */
  async function allPages(who: AuthSessionDto, limit: number): Promise<MessageDto[]> {
    const items: MessageDto[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
      const res = await api<PageDto<MessageDto>>(who, 'GET', `/v1/me/messages?${query}`);
      expectStatus(res, 200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      if (!res.body.hasMore) return items;
      cursor = res.body.nextCursor;
    }
    throw new Error('more than 100 pages');
  }

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    ana = await server.member(tenant);
    bob = await server.member(tenant);
    rooms = [];
    for (const name of ['Office move', 'Book club', 'Lunch']) {
      const res = await api<RoomDto>(ana, 'POST', '/v1/rooms', { kind: 'group', name, memberIds: [bob.user.id] });
      expectStatus(res, 201);
      rooms.push(res.body);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lists only your own messages, newest first across rooms, page by page; deleted ones and system events left out', async () => {
    const mine: MessageDto[] = [];
    for (let i = 0; i < 9; i++) {
      const room = rooms[i % 3]!;
      mine.push(await say(ana, room, `ana ${i}`));
      await say(bob, room, `bob ${i}`);
    }
    // A deleted message is gone from the list; a room Ana left still shows what she wrote there.
    expectStatus(await api(ana, 'DELETE', `/v1/messages/${mine[4]!.id}`), 200);
    expectStatus(await api(ana, 'DELETE', `/v1/rooms/${rooms[2]!.id}/members/${ana.user.id}`), 204);

    const expected = mine
      .filter((_, i) => i !== 4)
      .reverse()
      .map((m) => m.text);
    for (const limit of [1, 2, 4, 50]) {
      const items = await allPages(ana, limit);
      expect(items.map((m) => m.text)).toEqual(expected);
      expect(new Set(items.map((m) => m.sender?.id))).toEqual(new Set([ana.user.id]));
    }
    expect((await allPages(ana, 3)).map((m) => m.roomId)).toContain(rooms[2]!.id);
    // Bob's list has only his (the room Ana left made a system message, which is nobody's list entry).
    const bobs = await allPages(bob, 5);
    expect(bobs.map((m) => m.text)).toEqual(mine.map((_, i) => `bob ${i}`).reverse());
  });

  it('never skips or repeats messages written in the same millisecond', async () => {
    const carol = await server.member(tenant);
    const room = (await api<RoomDto>(carol, 'POST', '/v1/rooms', { kind: 'group', name: 'Same time' })).body;
    const written = [];
    for (let i = 0; i < 6; i++) written.push(await say(carol, room, `same ${i}`));
    // One millisecond, microseconds apart (two at the very same instant): what a JavaScript Date cannot tell apart.
    for (const [i, m] of written.entries()) {
      await server.db.raw(
        "update messages set created_at = timestamptz '2026-01-01 10:00:00.123+00' + interval '1 microsecond' * ? where id = ?",
        [Math.min(i, 4), m.id],
      );
    }
    const items = await allPages(carol, 2);
    expect(items.map((m) => m.text).sort()).toEqual(written.map((m) => m.text).sort());
    expect(new Set(items.map((m) => m.id)).size).toBe(6);
  });

  it('refuses a cursor that is malformed or names someone else’s message, and a guest sees only their own', async () => {
    const others = (await api<PageDto<MessageDto>>(bob, 'GET', '/v1/me/messages?limit=1')).body.items[0]!;
    const forged = Buffer.from(JSON.stringify([others.id])).toString('base64url');
    for (const cursor of [forged, 'not-a-cursor', Buffer.from('[1,2]').toString('base64url')]) {
      const res = await api(ana, 'GET', `/v1/me/messages?cursor=${encodeURIComponent(cursor)}`);
      expect({ status: res.status, code: replyError(res.body)?.code }).toEqual({ status: 422, code: 'validation_failed' });
    }
    expectStatus(await api(ana, 'GET', '/v1/me/messages?limit=0'), 422);
    const guest = await server.guest(tenant, 'Gil');
    const res = await api<PageDto<MessageDto>>(guest, 'GET', '/v1/me/messages');
    expectStatus(res, 200);
    expect(res.body).toEqual({ items: [], hasMore: false });
    expectStatus(await server.request('GET', '/v1/me/messages'), 401);
  });
});
