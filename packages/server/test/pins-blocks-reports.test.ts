import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
  AuthSessionDto,
  BlockDto,
  MessageDto,
  MessageReportDto,
  PageDto,
  PinDto,
  RoomDto,
  RoomPinsEvent,
  WebhookPayload,
} from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, request, settle } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

/**
 * Pins (a room's moderators), blocks (no direct messages across one) and reports (to the room's
 * moderators and the app's staff, and out as a webhook), over REST and sockets, against a real server.
 */

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const TIMING = { pollMs: 100, retryBaseMs: 200, timeoutMs: 1000, giveUpAfterMs: 3000 };

/** A loopback HTTP receiver that records each JSON body it is sent. */
async function startReceiver(): Promise<{ url: string; bodies: WebhookPayload<MessageReportDto>[]; close(): Promise<void> }> {
  const bodies: WebhookPayload<MessageReportDto>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload<MessageReportDto>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('pins, blocks and reports', () => {
  let server: TestServer;
  let tenant: App;
  let other: App;
  let owner: AuthSessionDto;
  let moderator: AuthSessionDto;
  let member: AuthSessionDto;
  let bystander: AuthSessionDto;
  let admin: AuthSessionDto;
  let stranger: AuthSessionDto;
  let room: RoomDto;
  const sockets: ClientSocket[] = [];

  const api = <T = unknown>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: who.accessToken, body });
  const say = async (who: AuthSessionDto, roomId: string, text: string) => {
    const res = await api<MessageDto>(who, 'POST', `/v1/rooms/${roomId}/messages`, { text, clientId: randomUUID() });
    expectStatus(res, 201);
    return res.body;
  };
  const socketOf = async (who: AuthSessionDto) => {
    const socket = await connect(server, who);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    server = await startTestServer({ env: { ADMIN_TOKEN }, webhooks: TIMING });
    tenant = await server.createTenant();
    other = await server.createTenant();
    owner = await server.member(tenant, 'ext-own');
    moderator = await server.member(tenant, 'ext-mod');
    member = await server.member(tenant, 'ext-mem');
    bystander = await server.member(tenant, 'ext-by');
    admin = await server.member(tenant, 'ext-admin', { role: 'admin' });
    stranger = await server.member(other, 'ext-stranger');
    const created = await api<RoomDto>(owner, 'POST', '/v1/rooms', {
      kind: 'group',
      name: 'Club',
      memberIds: [moderator.user.id, member.user.id, bystander.user.id],
    });
    expectStatus(created, 201);
    room = created.body;
    await server.db('memberships').where({ roomId: room.id, userId: moderator.user.id }).update({ role: 'moderator' });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  describe('pins', () => {
    it('lets a moderator pin and unpin, refuses a member, and tells the room the whole list live', async () => {
      const first = await say(member, room.id, 'Rules: be kind');
      const second = await say(owner, room.id, 'Meeting on Friday');
      const watcher = await socketOf(bystander);
      await call(watcher, 'room:join', { roomId: room.id });
      const heard = collect<RoomPinsEvent>(watcher, 'room:pins');

      expectStatus(await api(member, 'PUT', `/v1/rooms/${room.id}/pins/${first.id}`), 403, 'forbidden');
      expectStatus(await api(member, 'DELETE', `/v1/rooms/${room.id}/pins/${first.id}`), 403, 'forbidden');

      const pinned = await api<PinDto>(moderator, 'PUT', `/v1/rooms/${room.id}/pins/${first.id}`);
      expectStatus(pinned, 200);
      expect(pinned.body).toMatchObject({
        roomId: room.id,
        pinnedBy: moderator.user.id,
        message: { id: first.id, text: 'Rules: be kind' },
      });
      await until('room:pins after the first pin', () => heard.length === 1);
      expect(heard[0]!.pins.map((p) => p.message.id)).toEqual([first.id]);

      // Over the socket, by the owner.
      const ownerSocket = await socketOf(owner);
      const viaSocket = await call<{ pin: PinDto }>(ownerSocket, 'message:pin', { messageId: second.id });
      expect(viaSocket.pin.message.id).toBe(second.id);
      await until('room:pins after the second pin', () => heard.length === 2);
      expect(heard[1]!.pins.map((p) => p.message.id)).toEqual([second.id, first.id]);

      // Idempotent: the same pin again records nothing and announces nothing.
      expectStatus(await api(moderator, 'PUT', `/v1/rooms/${room.id}/pins/${first.id}`), 200);
      const list = await api<PageDto<PinDto>>(member, 'GET', `/v1/rooms/${room.id}/pins`);
      expectStatus(list, 200);
      expect(list.body.items.map((p) => p.message.id)).toEqual([second.id, first.id]);

      const entries = await server
        .db('moderation_log')
        .where({ roomId: room.id })
        .orderBy('created_at')
        .select('action', 'actor_id', 'message_id');
      expect(entries).toEqual([
        { action: 'message.pinned', actorId: moderator.user.id, messageId: first.id },
        { action: 'message.pinned', actorId: owner.user.id, messageId: second.id },
      ]);

      expectStatus(await api(moderator, 'DELETE', `/v1/rooms/${room.id}/pins/${first.id}`), 204);
      await until('room:pins after the unpin', () => heard.length === 3);
      expect(heard[2]!.pins.map((p) => p.message.id)).toEqual([second.id]);
      expectStatus(await api(moderator, 'DELETE', `/v1/rooms/${room.id}/pins/${first.id}`), 204);
      expect(await call(ownerSocket, 'message:unpin', { messageId: first.id })).toEqual({ ok: true });
      await settle(200);
      expect(heard).toHaveLength(3);
      const actions = await server.db('moderation_log').where({ roomId: room.id }).pluck('action');
      expect(actions.filter((a: string) => a === 'message.unpinned')).toHaveLength(1);

      // A stranger of another app, a plain member over the socket, and a room of another app learn nothing.
      expectStatus(await api(stranger, 'GET', `/v1/rooms/${room.id}/pins`), 404, 'not_found');
      const memberSocket = await socketOf(member);
      expect((await request(memberSocket, 'message:pin', { messageId: first.id })).error?.code).toBe('forbidden');
    });

    it('refuses deleted messages, messages of other rooms, and pins past the cap; a deleted pin leaves the list', async () => {
      const elsewhere = (await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'group', name: 'Other', memberIds: [] })).body;
      const foreign = await say(owner, elsewhere.id, 'not here');
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/pins/${foreign.id}`), 404, 'not_found');
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/pins/${randomUUID()}`), 404, 'not_found');
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/pins/not-a-uuid`), 404, 'not_found');

      const gone = await say(member, room.id, 'soon gone');
      expectStatus(await api(member, 'DELETE', `/v1/messages/${gone.id}`), 200);
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/pins/${gone.id}`), 409, 'conflict');

      // A pinned message deleted afterwards leaves the list.
      const doomed = await say(member, room.id, 'pinned, then deleted');
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${room.id}/pins/${doomed.id}`), 200);
      expectStatus(await api(member, 'DELETE', `/v1/messages/${doomed.id}`), 200);
      const after = await api<PageDto<PinDto>>(member, 'GET', `/v1/rooms/${room.id}/pins`);
      expect(after.body.items.map((p) => p.message.id)).not.toContain(doomed.id);

      // Fill up to the cap (rows written directly: 50 REST pins would only be slower), then one more.
      const capRoom = (await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'group', name: 'Cap', memberIds: [] })).body;
      const messages: MessageDto[] = [];
      for (let i = 0; i <= LIMITS.pinsPerRoomMax; i++) messages.push(await say(owner, capRoom.id, `m${i}`));
      await server
        .db('message_pins')
        .insert(messages.slice(0, LIMITS.pinsPerRoomMax).map((m) => ({ roomId: capRoom.id, messageId: m.id, pinnedBy: owner.user.id })));
      const over = await api(owner, 'PUT', `/v1/rooms/${capRoom.id}/pins/${messages.at(-1)!.id}`);
      expectStatus(over, 409, 'conflict');
      // A pin whose message was deleted frees its place.
      expectStatus(await api(owner, 'DELETE', `/v1/messages/${messages[0]!.id}`), 200);
      expectStatus(await api(owner, 'PUT', `/v1/rooms/${capRoom.id}/pins/${messages.at(-1)!.id}`), 200);
      const full = await api<PageDto<PinDto>>(owner, 'GET', `/v1/rooms/${capRoom.id}/pins`);
      expect(full.body.items).toHaveLength(LIMITS.pinsPerRoomMax);
      expect(full.body.items[0]!.message.id).toBe(messages.at(-1)!.id);
    });
  });

  describe('blocks', () => {
    it('refuses direct rooms and direct messages across a block either way, lists it, and lifts it', async () => {
      const [ana, ben] = await Promise.all([server.member(tenant, 'ext-ana'), server.member(tenant, 'ext-ben')]);
      const dm = await api<RoomDto>(ana, 'POST', '/v1/rooms/direct', { userId: ben.user.id });
      expectStatus(dm, 201);
      const dmRoomId = dm.body.id;
      await say(ben, dmRoomId, 'hi before the block');

      expectStatus(await api(ana, 'PUT', `/v1/me/blocks/${ana.user.id}`), 403, 'forbidden');
      expectStatus(await api(ana, 'PUT', `/v1/me/blocks/${stranger.user.id}`), 404, 'not_found');
      const blocked = await api<BlockDto>(ana, 'PUT', `/v1/me/blocks/${ben.user.id}`);
      expectStatus(blocked, 200);
      expect(blocked.body).toMatchObject({ userId: ben.user.id, user: { id: ben.user.id, name: 'User ext-ben' } });
      expectStatus(await api(ana, 'PUT', `/v1/me/blocks/${ben.user.id}`), 200);
      const list = await api<PageDto<BlockDto>>(ana, 'GET', '/v1/me/blocks');
      expect(list.body.items.map((b) => b.userId)).toEqual([ben.user.id]);
      expect((await api<PageDto<BlockDto>>(ben, 'GET', '/v1/me/blocks')).body.items).toEqual([]);

      // Opening the direct room, either way round.
      expectStatus(await api(ben, 'POST', '/v1/rooms/direct', { userId: ana.user.id }), 403, 'forbidden');
      expectStatus(await api(ana, 'POST', '/v1/rooms/direct', { userId: ben.user.id }), 403, 'forbidden');
      // Writing into the one they share, over REST and the socket, either way round.
      const send = (who: AuthSessionDto, text: string) =>
        api(who, 'POST', `/v1/rooms/${dmRoomId}/messages`, { text, clientId: randomUUID() });
      expectStatus(await send(ben, 'let me in'), 403, 'forbidden');
      expectStatus(await send(ana, 'and me'), 403, 'forbidden');
      const benSocket = await socketOf(ben);
      const viaSocket = await request(benSocket, 'message:send', { roomId: dmRoomId, text: 'socket', clientId: randomUUID() });
      expect(viaSocket.error?.code).toBe('forbidden');
      // A shared group room is not a direct one: messages there still go through.
      const shared = (await api<RoomDto>(ana, 'POST', '/v1/rooms', { kind: 'group', name: 'Both', memberIds: [ben.user.id] })).body;
      await say(ben, shared.id, 'group rooms are unaffected');
      // Nothing was stored, and the room's seq has no gap.
      const seqs = (await server.db('messages').where({ roomId: dmRoomId }).orderBy('seq').pluck('seq')).map(Number);
      expect(seqs).toEqual([1]);

      expectStatus(await api(ana, 'DELETE', `/v1/me/blocks/${ben.user.id}`), 204);
      expectStatus(await api(ana, 'DELETE', `/v1/me/blocks/${ben.user.id}`), 204);
      expectStatus(await send(ben, 'after the unblock'), 201);
      expect(await call(benSocket, 'message:send', { roomId: dmRoomId, text: 'socket again', clientId: randomUUID() })).toBeTruthy();
      expect((await api<PageDto<BlockDto>>(ana, 'GET', '/v1/me/blocks')).body.items).toEqual([]);
    });
  });

  describe('reports', () => {
    it('files once (201), updates on repeat (200), reaches moderators and staff live and the webhook, not members', async () => {
      const receiver = await startReceiver();
      try {
        const hook = await server.request('POST', `/v1/admin/apps/${tenant.id}/webhooks`, {
          token: ADMIN_TOKEN,
          body: { url: receiver.url, events: ['message.reported'] },
        });
        expectStatus(hook, 201);
        const [modSocket, adminSocket, memberSocket] = await Promise.all([socketOf(moderator), socketOf(admin), socketOf(member)]);
        const toModerator = collect<MessageReportDto>(modSocket, 'moderation:report');
        const toAdmin = collect<MessageReportDto>(adminSocket, 'moderation:report');
        const toMember = collect<MessageReportDto>(memberSocket, 'moderation:report');

        const rude = await say(bystander, room.id, 'something rude');
        const filed = await api<MessageReportDto>(member, 'POST', `/v1/messages/${rude.id}/reports`, {
          reason: 'abuse',
          comment: 'not ok',
        });
        expectStatus(filed, 201);
        expect(filed.body).toMatchObject({
          roomId: room.id,
          messageId: rude.id,
          message: { id: rude.id, text: 'something rude' },
          reporterId: member.user.id,
          reason: 'abuse',
          comment: 'not ok',
        });
        await until('moderation:report at the moderator and the admin', () => toModerator.length === 1 && toAdmin.length === 1);
        expect(toModerator[0]!.id).toBe(filed.body.id);
        expect(toAdmin[0]!.id).toBe(filed.body.id);

        const again = await api<MessageReportDto>(member, 'POST', `/v1/messages/${rude.id}/reports`, { reason: 'spam' });
        expectStatus(again, 200);
        expect(again.body).toMatchObject({ id: filed.body.id, reason: 'spam', comment: null });
        // Over the socket too: the same report again.
        const viaSocket = await call<{ report: MessageReportDto }>(memberSocket, 'message:report', { messageId: rude.id, reason: 'other' });
        expect(viaSocket.report).toMatchObject({ id: filed.body.id, reason: 'other' });

        const delivered = await until('the message.reported webhook', () => receiver.bodies.find((b) => b.type === 'message.reported'));
        expect(delivered).toMatchObject({ type: 'message.reported', appId: tenant.id, data: { id: filed.body.id, reason: 'abuse' } });
        await settle(400);
        // One webhook and one live report for the one report: repeats only update it.
        expect(receiver.bodies.filter((b) => b.type === 'message.reported')).toHaveLength(1);
        expect(toModerator).toHaveLength(1);
        expect(toAdmin).toHaveLength(1);
        expect(toMember).toHaveLength(0);

        // Refusals: your own message, a system message, a room you are not in, another app.
        const mine = await say(member, room.id, 'my own words');
        expectStatus(await api(member, 'POST', `/v1/messages/${mine.id}/reports`, { reason: 'spam' }), 403, 'forbidden');
        const [roomRow] = await server
          .db('rooms')
          .where({ id: room.id })
          .update({ lastSeq: server.db.raw('last_seq + 1'), version: server.db.raw('version + 1') })
          .returning(['last_seq', 'version']);
        const [system] = await server
          .db('messages')
          .insert({
            roomId: room.id,
            seq: roomRow.lastSeq,
            version: roomRow.version,
            createdVersion: roomRow.version,
            senderId: null,
            type: 'system',
            text: 'Someone joined',
            meta: JSON.stringify({ event: 'joined' }),
          })
          .returning('id');
        expectStatus(await api(member, 'POST', `/v1/messages/${system.id}/reports`, { reason: 'spam' }), 403, 'forbidden');
        const privateRoom = (await api<RoomDto>(owner, 'POST', '/v1/rooms', { kind: 'group', name: 'Private', memberIds: [] })).body;
        const hidden = await say(owner, privateRoom.id, 'private');
        expectStatus(await api(member, 'POST', `/v1/messages/${hidden.id}/reports`, { reason: 'spam' }), 403, 'forbidden');
        expectStatus(await api(stranger, 'POST', `/v1/messages/${rude.id}/reports`, { reason: 'spam' }), 404, 'not_found');
        expectStatus(await api(member, 'POST', `/v1/messages/${rude.id}/reports`, { reason: 'rude' }), 422, 'validation_failed');

        // Reads: the room's moderators, the app's staff; not members.
        const second = await api<MessageReportDto>(bystander, 'POST', `/v1/messages/${mine.id}/reports`, { reason: 'other' });
        expectStatus(second, 201);
        const ofRoom = await api<PageDto<MessageReportDto>>(moderator, 'GET', `/v1/rooms/${room.id}/reports?limit=1`);
        expectStatus(ofRoom, 200);
        expect(ofRoom.body.items.map((r) => r.id)).toEqual([second.body.id]);
        expect(ofRoom.body.hasMore).toBe(true);
        const next = await api<PageDto<MessageReportDto>>(
          moderator,
          'GET',
          `/v1/rooms/${room.id}/reports?limit=1&cursor=${ofRoom.body.nextCursor}`,
        );
        expect(next.body.items.map((r) => r.id)).toEqual([filed.body.id]);
        expect(next.body.hasMore).toBe(false);
        expectStatus(await api(member, 'GET', `/v1/rooms/${room.id}/reports`), 403, 'forbidden');
        const ofApp = await api<PageDto<MessageReportDto>>(admin, 'GET', '/v1/moderation/reports');
        expectStatus(ofApp, 200);
        expect(ofApp.body.items.map((r) => r.id)).toEqual([second.body.id, filed.body.id]);
        expectStatus(await api(member, 'GET', '/v1/moderation/reports'), 403, 'forbidden');
        expect((await api<PageDto<MessageReportDto>>(stranger, 'GET', '/v1/moderation/reports')).status).toBe(403);
      } finally {
        await receiver.close();
      }
    });

    it('throttles reports: 20 an hour per person, then rate_limited', async () => {
      const reporter = await server.member(tenant, 'ext-busy');
      await server.db('memberships').insert({ roomId: room.id, userId: reporter.user.id, role: 'member' });
      await server.app.services.roomCache.invalidate({ appId: tenant.id, roomIds: [room.id], userIds: [reporter.user.id] });
      const target = await say(bystander, room.id, 'reported many times');
      const codes: number[] = [];
      for (let i = 0; i < 21; i++)
        codes.push((await api(reporter, 'POST', `/v1/messages/${target.id}/reports`, { reason: 'spam' })).status);
      expect(codes.slice(0, 20)).toEqual([201, ...Array<number>(19).fill(200)]);
      expect(codes[20]).toBe(429);
    });
  });
});
