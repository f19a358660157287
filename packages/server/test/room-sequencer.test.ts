import type { AuthSessionDto, MessageDto, RoomDto, StartConversationResult } from '@confab/protocol';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import type { Actor } from '../src/services/actor.js';
import { bumpRoom } from '../src/services/room-version.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, connect, settle } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

// A writer that dies between commit and announcement leaves a committed change nobody announced.
// These tests commit such changes directly (the service's transaction body, without its announce
// step) and check that watchers still get them, in order, without reconnecting.
describe('changes whose announcement never came', () => {
  let server: TestServer;
  let tenant: App;
  let ana: AuthSessionDto;
  let bob: AuthSessionDto;
  let anaActor: Actor;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    [ana, bob] = await Promise.all([server.member(tenant, 'ana'), server.member(tenant, 'bob')]);
    anaActor = await server.app.services.auth.authenticate(ana.accessToken);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server?.close();
  });

  const newRoom = async () =>
    (await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'gaps', memberIds: [bob.user.id] } })).body;

  /** A socket watching `roomId`, and the message events it hears, in arrival order. */
  const watcher = async (session: AuthSessionDto, roomId: string) => {
    const socket = await connect(server, session);
    sockets.push(socket);
    await call(socket, 'room:join', { roomId });
    const heard: { event: string; message: MessageDto }[] = [];
    (socket as unknown as Socket).onAny((event: string, message: MessageDto) => {
      if (event.startsWith('message:')) heard.push({ event, message });
    });
    return { socket, heard };
  };

  /** A send committed as by a node that died right after the commit: stored, never announced. */
  const storeSilently = (roomId: string, clientId: string) =>
    server.db.transaction((trx) => server.app.services.messages.write(trx, anaActor, roomId, { clientId, text: clientId }));

  /** An edit or delete committed the same way: the room version moves, nobody hears of it. */
  const changeSilently = (roomId: string, messageId: string, patch: Record<string, unknown>) =>
    server.db.transaction(async (trx) => {
      const { version } = await bumpRoom(trx, anaActor.appId, roomId, false);
      await trx('messages')
        .where({ id: messageId })
        .update({ ...patch, version });
    });

  const send = (socket: ClientSocket, roomId: string, clientId: string) =>
    call<{ message: MessageDto }>(socket, 'message:send', { roomId, clientId, text: clientId });

  it('delivers an unannounced committed message before the next one, read from the database', async () => {
    const room = await newRoom();
    const byAna = await watcher(ana, room.id);
    const byBob = await watcher(bob, room.id);
    await send(byAna.socket, room.id, 'first');
    await until('first', () => byBob.heard.length === 1);

    const lost = await storeSilently(room.id, 'lost');
    await settle(100);
    expect(byBob.heard).toHaveLength(1);
    const started = Date.now();
    await send(byAna.socket, room.id, 'next');
    // The sequencer waits 500 ms for the missing version, then reads it.
    await until('the lost message and the next one', () => byBob.heard.length === 3, 3_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(byBob.heard.map((h) => [h.event, h.message.clientId, h.message.seq])).toEqual([
      ['message:created', 'first', 1],
      ['message:created', 'lost', 2],
      ['message:created', 'next', 3],
    ]);
    expect(itemAt(byBob.heard, 1).message).toMatchObject({ id: lost.message.id, text: 'lost', version: Number(lost.message.version) });
    // The sender's own other socket, too: every watcher on the node gets the same order.
    expect(byAna.heard.map((h) => h.message.clientId)).toEqual(['first', 'lost', 'next']);
    expect(byBob.socket.connected).toBe(true);
  });

  it('delivers unannounced edits and deletes as message:updated and message:deleted, in version order', async () => {
    const room = await newRoom();
    const byAna = await watcher(ana, room.id);
    const byBob = await watcher(bob, room.id);
    const { message: one } = await send(byAna.socket, room.id, 'one');
    const { message: two } = await send(byAna.socket, room.id, 'two');
    await until('one and two', () => byBob.heard.length === 2);

    await changeSilently(room.id, one.id, { text: 'one, edited', editedAt: new Date() });
    await changeSilently(room.id, two.id, { text: '', deletedAt: new Date() });
    await send(byAna.socket, room.id, 'three');
    await until('the edit, the delete and three', () => byBob.heard.length === 5, 3_000);
    expect(byBob.heard.slice(2).map((h) => [h.event, h.message.id, h.message.version])).toEqual([
      ['message:updated', one.id, one.version + 2],
      ['message:deleted', two.id, one.version + 3],
      ['message:created', expect.any(String), one.version + 4],
    ]);
    expect(itemAt(byBob.heard, 2).message).toMatchObject({ text: 'one, edited' });
    expect(itemAt(byBob.heard, 3).message).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(itemAt(byBob.heard, 4).message.clientId).toBe('three');
  });

  it('announces the stored message again when its send is retried, without counting it twice', async () => {
    const room = await newRoom();
    const byAna = await watcher(ana, room.id);
    const byBob = await watcher(bob, room.id);
    const stored = await storeSilently(room.id, 'retried');
    const persisted = async () => (await server.app.metrics.messagesPersisted.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await persisted();

    // No later change comes to reveal the gap: only the retry can tell the watchers.
    const retry = await send(byAna.socket, room.id, 'retried');
    expect(retry.message.id).toBe(stored.message.id);
    await until('the retried message', () => byBob.heard.length === 1, 2_000);
    expect(byBob.heard[0]).toMatchObject({ event: 'message:created', message: { id: stored.message.id, seq: 1, clientId: 'retried' } });
    expect(await persisted()).toBe(before);

    // A retry after the message already went out is delivered again (late, never lost) and merged by id.
    await send(byAna.socket, room.id, 'after');
    await until('after', () => byBob.heard.length === 2);
    await send(byAna.socket, room.id, 'retried');
    await until('the second retry', () => byBob.heard.length === 3, 2_000);
    expect(byBob.heard.map((h) => h.message.clientId)).toEqual(['retried', 'after', 'retried']);
    expect(await persisted()).toBe(before + 1);
  });

  it('announces a support conversation again when its start is retried (its node may have died before telling agents)', async () => {
    const agent = await server.member(tenant, `agent-${Date.now()}`, { role: 'agent' });
    const inbox = await connect(server, agent);
    sockets.push(inbox);
    const heard: { id: string }[] = [];
    inbox.on('support:conversation', (c: { id: string }) => heard.push(c));
    const visitor = await server.guest(tenant, 'Vera');
    // With text, the start's reply carries its first message.
    const start = () =>
      server.request<StartConversationResult & { message: MessageDto }>('POST', '/v1/support/conversations', {
        token: visitor.accessToken,
        body: { text: 'Hello?', clientId: 'vera-start' },
      });
    const first = await start();
    expect(first.status).toBe(201);
    await until('the new conversation', () => heard.some((c) => c.id === first.body.id), 2_000);
    const before = heard.length;
    const again = await start();
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.message.id).toBe(first.body.message.id);
    await until('the retried start announced again', () => heard.length > before, 2_000);
    expect(heard.at(-1)!.id).toBe(first.body.id);
  });
});
