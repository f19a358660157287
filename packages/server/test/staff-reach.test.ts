import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, MessageDto, RoomDto, StartConversationResult } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { connect, request } from './helpers/sockets.js';

// Staff (agents, admins) moderate support conversations and rooms they can read (their own, public
// ones); other people's direct and private group rooms stay out of their reach.

let server: TestServer;
let tenant: App;
let ana: AuthSessionDto;
let bob: AuthSessionDto;
let carol: AuthSessionDto;
let agent: AuthSessionDto;
let admin: AuthSessionDto;

function call<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function send(session: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await call<MessageDto>(session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const stored = (id: string) => server.db('messages').where({ id }).first('text', 'deleted_at');

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
  ana = await server.member(tenant, 'ana', { name: 'Ana' });
  bob = await server.member(tenant, 'bob', { name: 'Bob' });
  carol = await server.member(tenant, 'carol', { name: 'Carol' });
  agent = await server.member(tenant, 'agent', { name: 'Agnes', role: 'agent' });
  admin = await server.member(tenant, 'admin', { name: 'Ada', role: 'admin' });
});

afterAll(() => server?.close());

describe('staff powers over rooms they are not in', () => {
  it('refuses an agent or admin outside a direct room to delete its messages, over REST and socket; they stay untouched', async () => {
    const dm = (await call<RoomDto>(ana, 'POST', '/v1/rooms/direct', { userId: bob.user.id })).body;
    const secret = await send(ana, dm.id, 'our private plan');

    for (const staff of [agent, admin]) {
      expectError(await call(staff, 'DELETE', `/v1/messages/${secret.id}`), 403, 'forbidden');
      const socket = await connect(server, staff);
      try {
        const ack = await request(socket, 'message:delete', { messageId: secret.id });
        expect(ack.error?.code).toBe('forbidden');
      } finally {
        socket.close();
      }
    }
    expect(await stored(secret.id)).toEqual({ text: 'our private plan', deletedAt: null });
    expect(await server.db('memberships').where({ roomId: dm.id }).pluck('user_id')).toHaveLength(2);
  });

  it('refuses an app admin outside a private group: no rename, join, add, remove or delete; the room is unchanged', async () => {
    const group = (await call<RoomDto>(ana, 'POST', '/v1/rooms', { name: 'Ana and Bob', memberIds: [bob.user.id] })).body;
    const message = await send(bob, group.id, 'just between us');
    const members = () => server.db('memberships').where({ roomId: group.id }).orderBy('user_id').pluck('user_id');
    const before = await members();

    expectError(await call(admin, 'PATCH', `/v1/rooms/${group.id}`, { name: 'Taken over' }), 403, 'forbidden');
    expectError(await call(admin, 'POST', `/v1/rooms/${group.id}/members`, { userId: admin.user.id }), 403, 'forbidden');
    expectError(await call(admin, 'POST', `/v1/rooms/${group.id}/members`, { userIds: [carol.user.id] }), 403, 'forbidden');
    expectError(await call(admin, 'DELETE', `/v1/rooms/${group.id}/members/${bob.user.id}`), 403, 'forbidden');
    expectError(await call(admin, 'DELETE', `/v1/messages/${message.id}`), 403, 'forbidden');
    expectError(await call(agent, 'DELETE', `/v1/messages/${message.id}`), 403, 'forbidden');

    expect(await server.db('rooms').where({ id: group.id }).first('name')).toEqual({ name: 'Ana and Bob' });
    expect(await members()).toEqual(before);
    expect(await stored(message.id)).toEqual({ text: 'just between us', deletedAt: null });
  });

  it('keeps staff powers where staff can read: public rooms, support conversations, and groups an admin belongs to', async () => {
    const lobby = (await call<RoomDto>(ana, 'POST', '/v1/rooms', { name: 'Lobby', kind: 'public' })).body;
    const spam = await send(ana, lobby.id, 'spam in the lobby');
    expect((await call<MessageDto>(agent, 'DELETE', `/v1/messages/${spam.id}`)).status).toBe(200);
    expect((await stored(spam.id)).deletedAt).not.toBeNull();

    const visitor = await server.guest(tenant, 'Visitor');
    const started = (
      await call<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', { text: 'abusive text', clientId: randomUUID() })
    ).body;
    expect((await call<MessageDto>(agent, 'DELETE', `/v1/messages/${started.message!.id}`)).status).toBe(200);
    expect((await stored(started.message!.id)).deletedAt).not.toBeNull();

    const team = (await call<RoomDto>(ana, 'POST', '/v1/rooms', { name: 'Team', memberIds: [admin.user.id, bob.user.id] })).body;
    const renamed = await call<RoomDto>(admin, 'PATCH', `/v1/rooms/${team.id}`, { name: 'Team (moderated)' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await call(admin, 'POST', `/v1/rooms/${team.id}/members`, { userIds: [carol.user.id] })).status).toBe(200);
    expect(await server.db('memberships').where({ roomId: team.id, userId: carol.user.id }).first('role')).toEqual({ role: 'member' });
    const bobs = await send(bob, team.id, 'off-topic');
    expect((await call<MessageDto>(admin, 'DELETE', `/v1/messages/${bobs.id}`)).status).toBe(200);
  });
});
