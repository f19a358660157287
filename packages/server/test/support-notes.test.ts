import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  type AuthSessionDto,
  type MessageDto,
  type PageDto,
  type RoomJoinResult,
  type RoomListItemDto,
  type StartConversationResult,
  type SupportConversationDto,
  type SupportInboxItemDto,
  type SupportMentionEvent,
  type SupportNoteDto,
  WEBHOOK_EVENTS,
} from '@confab/protocol';
import { type ChatClient, ChatError, createClient } from '@confab/sdk';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { call, type ClientSocket, collect, connect, settle, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const WEBHOOK_TIMING = { pollMs: 100, retryBaseMs: 200, timeoutMs: 1000, giveUpAfterMs: 3000 };

let server: TestServer;
let tenant: App;
let other: App;
let agent: AuthSessionDto;
let admin: AuthSessionDto;
let colleague: AuthSessionDto;
let member: AuthSessionDto;
let otherAgent: AuthSessionDto;
const sockets: ClientSocket[] = [];
const clients: ChatClient[] = [];

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown, on = server): Promise<ApiResponse<T>> {
  return on.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function socketOf(session: AuthSessionDto, on = server): Promise<ClientSocket> {
  const socket = await connect(on, session);
  sockets.push(socket);
  return socket;
}

/** Every event the socket hears from now on, as JSON text (to look for a note's words in). */
function everything(socket: ClientSocket): string[] {
  const heard: string[] = [];
  (socket as unknown as Socket).onAny((event: string, payload: unknown) => heard.push(`${event} ${JSON.stringify(payload)}`));
  return heard;
}

/** A staff member (or plain user) with a username, as mentions name them. */
async function person(app: App, username: string, role: 'agent' | 'admin' | 'user', on = server): Promise<AuthSessionDto> {
  const session = await on.member(app, `ext-${randomUUID()}`, { role, name: username });
  await on.db('users').update({ username }).where({ id: session.user.id });
  return session;
}

async function start(app: App, on = server): Promise<{ visitor: AuthSessionDto; conversation: StartConversationResult }> {
  const visitor = await on.guest(app, 'Vera');
  const res = await api<StartConversationResult>(
    visitor,
    'POST',
    '/v1/support/conversations',
    { text: 'Help!', clientId: randomUUID() },
    on,
  );
  expectStatus(res, 201);
  return { visitor, conversation: res.body };
}

async function note(
  session: AuthSessionDto,
  conversationId: string,
  text: string,
  on = server,
  clientId = randomUUID(),
): Promise<SupportNoteDto> {
  const res = await api<SupportNoteDto>(session, 'POST', `/v1/support/conversations/${conversationId}/notes`, { text, clientId }, on);
  expectStatus(res, 201);
  return res.body;
}

async function notes(session: AuthSessionDto, conversationId: string, query = ''): Promise<ApiResponse<PageDto<SupportNoteDto>>> {
  return api<PageDto<SupportNoteDto>>(session, 'GET', `/v1/support/conversations/${conversationId}/notes${query}`);
}

/** A webhook receiver on loopback: every body it was sent, raw. */
async function receiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`,
    bodies,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN }, webhooks: WEBHOOK_TIMING });
  tenant = await server.createTenant();
  other = await server.createTenant();
  agent = await person(tenant, 'ana', 'agent');
  admin = await person(tenant, 'Adi.Admin', 'admin');
  colleague = await person(tenant, 'bob', 'agent');
  member = await person(tenant, 'dave', 'user');
  otherAgent = await person(other, 'bob', 'agent');
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const client of clients) client.close();
  await server?.close();
});

describe('private notes', () => {
  it('writes a note (trimmed), lists notes oldest first, and pages them', async () => {
    const { conversation } = await start(tenant);
    const first = await note(agent, conversation.id, '  Checked the order: it shipped.  ');
    expect(first).toMatchObject({
      conversationId: conversation.id,
      text: 'Checked the order: it shipped.',
      mentions: [],
      deletedAt: null,
      author: { id: agent.user.id, username: 'ana', role: 'agent' },
    });
    expect(Date.parse(first.createdAt)).not.toBeNaN();
    const second = await note(admin, conversation.id, 'Refund approved');
    const third = await note(colleague, conversation.id, 'Told the courier');

    const all = await notes(agent, conversation.id);
    expectStatus(all, 200);
    expect(all.body.items.map((n) => n.id)).toEqual([first.id, second.id, third.id]);
    expect(all.body.hasMore).toBe(false);
    const page1 = await notes(agent, conversation.id, '?limit=2');
    expect(page1.body).toMatchObject({ hasMore: true, nextCursor: expect.any(String) });
    expect(page1.body.items.map((n) => n.id)).toEqual([first.id, second.id]);
    const page2 = await notes(agent, conversation.id, `?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((n) => n.id)).toEqual([third.id]);
    expect(page2.body.hasMore).toBe(false);
    expectError(await notes(agent, conversation.id, '?cursor=bm9wZQ'), 422, 'validation_failed');
  });

  it('makes one note of a retried write with the same clientId, and refuses that clientId on another conversation', async () => {
    const { conversation } = await start(tenant);
    const clientId = randomUUID();
    const path = `/v1/support/conversations/${conversation.id}/notes`;
    const tries = await Promise.all([1, 2, 3].map(() => api<SupportNoteDto>(agent, 'POST', path, { text: 'Only once', clientId })));
    expect(tries.map((t) => t.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(tries.map((t) => t.body.id)).size).toBe(1);
    const again = await api<SupportNoteDto>(agent, 'POST', path, { text: 'Only once', clientId });
    expectStatus(again, 200);
    expect(again.body.id).toBe(tries[0]!.body.id);
    expect((await notes(agent, conversation.id)).body.items).toHaveLength(1);
    // Another agent's clientId is their own.
    expectStatus(await api(colleague, 'POST', path, { text: 'Mine', clientId }), 201);

    const elsewhere = await start(tenant);
    expectError(
      await api(agent, 'POST', `/v1/support/conversations/${elsewhere.conversation.id}/notes`, { text: 'x', clientId }),
      409,
      'conflict',
    );
  });

  it('refuses empty, too long and malformed notes', async () => {
    const { conversation } = await start(tenant);
    const path = `/v1/support/conversations/${conversation.id}/notes`;
    for (const body of [
      { text: '', clientId: randomUUID() },
      { text: '   ', clientId: randomUUID() },
      { text: 'x'.repeat(4001), clientId: randomUUID() },
      { text: 'No client id' },
      { text: 42, clientId: randomUUID() },
      { text: 'Spaces', clientId: 'a b' },
    ])
      expectError(await api(agent, 'POST', path, body), 422, 'validation_failed');
    expectStatus(await api(agent, 'POST', path, { text: 'x'.repeat(4000), clientId: randomUUID() }), 201);
    expectError(await api(agent, 'POST', '/v1/support/conversations/nope/notes', { text: 'x', clientId: randomUUID() }), 404, 'not_found');
  });

  it("is forbidden to visitors and plain members, and another app's conversation or note is not found", async () => {
    const { visitor, conversation } = await start(tenant);
    const mine = await note(agent, conversation.id, 'Internal');
    const outsider = await person(other, 'olga', 'user');
    for (const who of [visitor, member, outsider]) {
      expectError(await notes(who, conversation.id), 403, 'forbidden');
      expectError(
        await api(who, 'POST', `/v1/support/conversations/${conversation.id}/notes`, { text: 'Hi', clientId: randomUUID() }),
        403,
        'forbidden',
      );
      expectError(await api(who, 'DELETE', `/v1/support/notes/${mine.id}`), 403, 'forbidden');
    }
    expectError(await notes(otherAgent, conversation.id), 404, 'not_found');
    expectError(
      await api(otherAgent, 'POST', `/v1/support/conversations/${conversation.id}/notes`, { text: 'Hi', clientId: randomUUID() }),
      404,
      'not_found',
    );
    expectError(await api(otherAgent, 'DELETE', `/v1/support/notes/${mine.id}`), 404, 'not_found');
    // A group room is not a conversation.
    const group = await api<{ id: string }>(agent, 'POST', '/v1/rooms', { kind: 'group', name: 'Team' });
    expectError(await notes(agent, group.body.id), 404, 'not_found');
    expect((await notes(agent, conversation.id)).body.items.map((n) => n.text)).toEqual(['Internal']);
  });

  it('lets the author or an admin delete a note, tells agents with deletedAt set, and lists it no more', async () => {
    const { conversation } = await start(tenant);
    const watcher = await socketOf(colleague);
    const a = await note(agent, conversation.id, 'First thought');
    const b = await note(agent, conversation.id, 'Second thought');
    expectError(await api(colleague, 'DELETE', `/v1/support/notes/${a.id}`), 403, 'forbidden');

    const gone = waitFor<SupportNoteDto>(watcher, 'support:note', (n) => n.id === a.id && n.deletedAt !== null);
    expectStatus(await api(agent, 'DELETE', `/v1/support/notes/${a.id}`), 204);
    expect(await gone).toMatchObject({ id: a.id, text: '', mentions: [], deletedAt: expect.any(String) });
    expectError(await api(agent, 'DELETE', `/v1/support/notes/${a.id}`), 404, 'not_found');
    expectStatus(await api(admin, 'DELETE', `/v1/support/notes/${b.id}`), 204);
    expect((await notes(agent, conversation.id)).body.items).toEqual([]);
    expectError(await api(agent, 'DELETE', `/v1/support/notes/${randomUUID()}`), 404, 'not_found');
  });

  it('mentions staff of the app by @username, ignoring case, never the author, a plain member or another app', async () => {
    const { conversation } = await start(tenant);
    const [bobSocket, adiSocket, anaSocket, daveSocket, otherSocket] = await Promise.all([
      socketOf(colleague),
      socketOf(admin),
      socketOf(agent),
      socketOf(member),
      socketOf(otherAgent),
    ]);
    const mentionsOf = (s: ClientSocket) => collect<SupportMentionEvent>(s, 'support:mention');
    const bobHeard = mentionsOf(bobSocket);
    const adiHeard = mentionsOf(adiSocket);
    const anaHeard = mentionsOf(anaSocket);
    const daveHeard = mentionsOf(daveSocket);
    const otherHeard = mentionsOf(otherSocket);
    const daveNotes = collect(daveSocket, 'support:note');
    const otherNotes = collect(otherSocket, 'support:note');
    const adiNotes = collect<SupportNoteDto>(adiSocket, 'support:note');

    const written = await note(agent, conversation.id, '@BOB can you look? cc @dave, @ana and me@bob.example, not @nobody');
    expect(written.mentions).toEqual([colleague.user.id]);
    // Events may come before the reply to the request that caused them: look in what was heard.
    await until('bob mentioned', () => bobHeard.some((e) => e.note.id === written.id));
    const heard = bobHeard.find((e) => e.note.id === written.id)!;
    expect(heard.note).toEqual(written);
    expect(heard.conversation).toMatchObject({ id: conversation.id, kind: 'support' });
    await until('every agent told', () => adiNotes.some((n) => n.id === written.id));

    const both = await note(colleague, conversation.id, 'Thanks @ana. @adi.admin.');
    expect([...both.mentions].sort()).toEqual([agent.user.id, admin.user.id].sort());
    await until('ana mentioned', () => anaHeard.some((e) => e.note.id === both.id));
    await until('adi mentioned', () => adiHeard.some((e) => e.note.id === both.id));
    await settle(300);
    expect(bobHeard.map((e) => e.note.id)).toEqual([written.id]);
    expect(anaHeard.map((e) => e.note.id)).toEqual([both.id]);
    expect([...daveHeard, ...otherHeard]).toEqual([]);
    expect([...daveNotes, ...otherNotes]).toEqual([]);
  });

  it('is reachable from the SDK: notes.add (retried safely), notes.list and notes.remove, with live support:note', async () => {
    const { conversation } = await start(tenant);
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    clients.push(client);
    await client.connectSession(colleague);
    const live: SupportNoteDto[] = [];
    client.on('support:note', (n) => live.push(n));
    await until('connected', () => client.status === 'online');

    const added = await client.support.notes.add(conversation.id, 'From the SDK @ana');
    expect(added).toMatchObject({ text: 'From the SDK @ana', mentions: [agent.user.id], author: { id: colleague.user.id } });
    expect((await client.support.notes.add(conversation.id, 'From the SDK @ana', added.clientId)).id).toBe(added.id);
    expect((await client.support.notes.list(conversation.id, { limit: 10 })).items.map((n) => n.id)).toEqual([added.id]);
    await until('heard live', () => live.some((n) => n.id === added.id));
    await client.support.notes.remove(added.id);
    await until('deletion heard live', () => live.some((n) => n.id === added.id && n.deletedAt !== null));
    const missing = await client.support.notes.remove(added.id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ChatError);
    expect((missing as ChatError).code).toBe('not_found');
  });

  it('never lets the visitor see a note: socket, history, catch-up, room list, conversation, inbox last message or webhooks', async () => {
    const hook = await receiver();
    try {
      const made = await server.request<{ id: string }>('POST', `/v1/admin/apps/${tenant.id}/webhooks`, {
        token: ADMIN_TOKEN,
        body: { url: hook.url, events: [...WEBHOOK_EVENTS] },
      });
      expectStatus(made, 201);
      const { visitor, conversation } = await start(tenant);
      const visitorSocket = await socketOf(visitor);
      const visitorHeard = everything(visitorSocket);
      const joined = await call<RoomJoinResult>(visitorSocket, 'room:join', { roomId: conversation.id });
      const lastSeq = Math.max(...joined.messages.map((m) => m.seq));
      const agentSocket = await socketOf(colleague);

      const secret = `zebra-${randomUUID()}`;
      const heardByAgent = waitFor<SupportNoteDto>(agentSocket, 'support:note', (n) => n.text.includes(secret));
      await api(agent, 'POST', `/v1/support/conversations/${conversation.id}/assign`, {});
      const written = await note(agent, conversation.id, `Private ${secret} @bob`);
      await heardByAgent;
      // Things the visitor does hear, after the note: the agent's reply, then the resolve.
      const reply = await api<MessageDto>(agent, 'POST', `/v1/rooms/${conversation.id}/messages`, {
        text: 'On it',
        clientId: randomUUID(),
      });
      expectStatus(reply, 201);
      // Events may come before the reply to the request that caused them: look in what was heard.
      await until('the reply reached the visitor', () =>
        visitorHeard.some((e) => e.startsWith('message:created') && e.includes(reply.body.id)),
      );
      expectStatus(await api(agent, 'POST', `/v1/support/conversations/${conversation.id}/resolve`), 200);
      await until('the resolve reached the visitor', () =>
        visitorHeard.some((e) => e.startsWith('room:updated') && e.includes('"resolved"')),
      );
      expectStatus(await api(visitor, 'PUT', `/v1/support/conversations/${conversation.id}/rating`, { score: 5 }), 200);
      await until(
        'the webhooks after the note',
        () => hook.bodies.some((b) => b.includes('"conversation.rated"')) && hook.bodies.some((b) => b.includes(reply.body.id)),
        8_000,
      );
      await settle(300);

      const leaks = (what: string, text: string) => expect(text.includes(secret), `${what} carries the note`).toBe(false);
      expect(visitorHeard.some((e) => e.startsWith('message:created'))).toBe(true);
      for (const event of visitorHeard) leaks('a visitor socket event', event);
      expect(visitorHeard.filter((e) => /^support:(note|mention) /.test(e))).toEqual([]);

      const history = await api<PageDto<MessageDto>>(visitor, 'GET', `/v1/rooms/${conversation.id}/messages`);
      expectStatus(history, 200);
      expect(history.body.items.map((m) => m.text)).toContain('On it');
      leaks('the history', JSON.stringify(history.body));

      visitorSocket.disconnect();
      const back = await socketOf(visitor);
      const caughtUp = await call<RoomJoinResult>(back, 'room:join', { roomId: conversation.id, since: lastSeq });
      expect(caughtUp.messages.map((m) => m.id)).toContain(reply.body.id);
      leaks('the catch-up', JSON.stringify(caughtUp));
      leaks('a fresh join', JSON.stringify(await call<RoomJoinResult>(back, 'room:join', { roomId: conversation.id })));

      const rooms = await api<PageDto<RoomListItemDto>>(visitor, 'GET', '/v1/rooms');
      const listed = rooms.body.items.find((r) => r.id === conversation.id);
      expect(listed?.lastMessage?.id).not.toBe(written.id);
      leaks('the room list', JSON.stringify(rooms.body));
      const viewed = await api<SupportConversationDto>(visitor, 'GET', `/v1/support/conversations/${conversation.id}`);
      expectStatus(viewed, 200);
      leaks("the visitor's conversation", JSON.stringify(viewed.body));
      leaks('the room', JSON.stringify((await api(visitor, 'GET', `/v1/rooms/${conversation.id}`)).body));
      const visitorInbox = await api(visitor, 'GET', '/v1/support/conversations');
      leaks("the visitor's conversations", JSON.stringify(visitorInbox.body));

      // The note is no message for agents either: the inbox's last message is the last of the history.
      const inbox = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', '/v1/support/conversations?status=resolved');
      const newest = history.body.items.reduce((a, b) => (a.seq > b.seq ? a : b));
      expect(inbox.body.items.find((c) => c.id === conversation.id)?.lastMessage?.id).toBe(newest.id);
      const search = await api<PageDto<unknown>>(agent, 'GET', `/v1/support/search?q=${secret}`);
      expectStatus(search, 200);
      expect(search.body.items).toEqual([]);

      expect(hook.bodies.length).toBeGreaterThanOrEqual(4);
      for (const body of hook.bodies) leaks('a webhook delivery', body);
      // The agents do have it.
      expect((await notes(colleague, conversation.id)).body.items.map((n) => n.id)).toEqual([written.id]);
    } finally {
      await hook.close();
    }
  });
});

const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(clustered)('private notes across two nodes', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let app: App;

  beforeAll(async () => {
    nodeA = await startTestServer();
    nodeB = await startTestServer({ peer: nodeA });
    await until('both adapters subscribed', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
    app = await nodeA.createTenant();
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await nodeB?.close();
    await nodeA?.close();
  });

  it("reaches the agents' sockets on node B (the mentioned one hears support:mention), never the visitor's", async () => {
    const writer = await person(app, 'ada', 'agent', nodeA);
    const mentioned = await person(app, 'bia', 'agent', nodeB);
    const bystander = await person(app, 'cai', 'agent', nodeB);
    const { visitor, conversation } = await start(app, nodeA);
    const visitorSocket = await socketOf(visitor, nodeB);
    const visitorHeard = everything(visitorSocket);
    await call(visitorSocket, 'room:join', { roomId: conversation.id });
    const mentionedSocket = await socketOf(mentioned, nodeB);
    const bystanderSocket = await socketOf(bystander, nodeB);
    const bystanderMentions = collect(bystanderSocket, 'support:mention');

    const secret = `walrus-${randomUUID()}`;
    const noted = waitFor<SupportNoteDto>(bystanderSocket, 'support:note', (n) => n.text.includes(secret));
    const mention = waitFor<SupportMentionEvent>(mentionedSocket, 'support:mention', (e) => e.note.text.includes(secret));
    const written = await note(writer, conversation.id, `${secret} over to you @Bia`, nodeA);
    expect((await noted).id).toBe(written.id);
    expect(await mention).toMatchObject({ note: { id: written.id, mentions: [mentioned.user.id] }, conversation: { id: conversation.id } });

    const deleted = waitFor<SupportNoteDto>(bystanderSocket, 'support:note', (n) => n.id === written.id && n.deletedAt !== null);
    expectStatus(await api(writer, 'DELETE', `/v1/support/notes/${written.id}`, undefined, nodeA), 204);
    await deleted;
    // Something the visitor hears after both, through the same path, before looking.
    const reply = await api<MessageDto>(
      writer,
      'POST',
      `/v1/rooms/${conversation.id}/messages`,
      { text: 'Hi', clientId: randomUUID() },
      nodeA,
    );
    await until('the reply reached the visitor', () => visitorHeard.some((e) => e.includes(reply.body.id)));
    await settle(300);
    expect(bystanderMentions).toEqual([]);
    for (const event of visitorHeard) expect(event.includes(secret)).toBe(false);
    expect(visitorHeard.filter((e) => e.startsWith('support:note') || e.startsWith('support:mention'))).toEqual([]);
  });
});
