import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, MessageDto, PageDto, StartConversationResult, SupportSearchResultDto } from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hitsQuery, toPrefixQuery } from '../src/services/support/search.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function start(visitor: AuthSessionDto, text: string): Promise<StartConversationResult> {
  const res = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', { text, clientId: randomUUID() });
  expectStatus(res, 201);
  return res.body;
}

async function send(session: AuthSessionDto, roomId: string, text: string): Promise<MessageDto> {
  const res = await api<MessageDto>(session, 'POST', `/v1/rooms/${roomId}/messages`, { clientId: randomUUID(), text });
  expectStatus(res, 201);
  return res.body;
}

async function search(agent: AuthSessionDto, query: string): Promise<PageDto<SupportSearchResultDto>> {
  const res = await api<PageDto<SupportSearchResultDto>>(agent, 'GET', `/v1/support/search?${query}`);
  expectStatus(res, 200);
  return res.body;
}

const q = (text: string, extra = '') => `q=${encodeURIComponent(text)}${extra}`;

async function guestWithEmail(appId: string, name: string, email: string): Promise<AuthSessionDto> {
  const res = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: appId, body: { name, email } });
  expectStatus(res, 201);
  return res.body;
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe('support search', () => {
  it('finds a message by a word and by a prefix, with the conversation and the messages either side', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
    const visitor = await server.guest(tenant, 'Vera');
    const other = await server.guest(tenant, 'Otto');
    const started = await start(visitor, 'Hello there');
    const match = await send(visitor, started.id, 'My parcel to Lisboa never arrived');
    const next = await send(agent, started.id, 'Sorry to hear that, let me check');
    await start(other, 'Do you sell gift cards?');

    const byWord = await search(agent, q('parcel'));
    expect(byWord.items).toHaveLength(1);
    const [hit] = byWord.items;
    expect(hit!.conversation).toMatchObject({ id: started.id, kind: 'support', visitor: { id: visitor.user.id, name: 'Vera' } });
    expect(typeof hit!.conversation.unreadCount).toBe('number');
    expect(hit!.message).toMatchObject({ id: match.id, text: 'My parcel to Lisboa never arrived' });
    expect(hit!.before.map((m) => m.text)).toEqual(['Hello there']);
    expect(hit!.after.map((m) => m.id)).toEqual([next.id]);

    // The last word is a prefix; every word must match; case does not matter.
    expect((await search(agent, q('LISB'))).items.map((r) => r.message?.id)).toEqual([match.id]);
    expect((await search(agent, q('parcel arr'))).items.map((r) => r.message?.id)).toEqual([match.id]);
    expect((await search(agent, q('parcel refund'))).items).toEqual([]);
    // Punctuation and quotes are not query syntax.
    expect((await search(agent, q("parcel's & | ! arrived:*"))).items).toEqual([]);
    expect((await search(agent, q('!!! &&'))).items).toEqual([]);
    expect((await search(agent, q('gift'))).items.map((r) => r.conversation.visitor?.id)).toEqual([other.user.id]);
  });

  it('finds a conversation by the visitor name and email (no message then)', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-bo', { role: 'agent', name: 'Bo' });
    const visitor = await guestWithEmail(tenant.id, 'Joana Tavares', 'joana.t@correio.example.pt');
    const started = await start(visitor, 'Olá, preciso de ajuda');
    await start(await server.guest(tenant, 'Someone Else'), 'Hi');

    for (const text of ['Tavares', 'joana tav', 'joana.t@correio.example.pt', 'correio.example.pt', 'joana.t@corr']) {
      const page = await search(agent, q(text));
      expect(
        page.items.map((r) => [r.conversation.id, r.message, r.before, r.after]),
        text,
      ).toEqual([[started.id, null, [], []]]);
    }
    expect(page(await search(agent, q('tavares')))).toEqual([started.id]);
    // A message naming the visitor's word wins over the visitor match: one result per conversation.
    const said = await send(visitor, started.id, 'Tavares aqui outra vez');
    const again = await search(agent, q('tavares'));
    expect(again.items.map((r) => [r.conversation.id, r.message?.id])).toEqual([[started.id, said.id]]);
  });

  it('never returns another app’s conversations for the same word', async () => {
    const mine = await server.createTenant();
    const theirs = await server.createTenant();
    const agent = await server.member(mine, 'agent-cy', { role: 'agent' });
    const theirAgent = await server.member(theirs, 'agent-cy', { role: 'agent' });
    const own = await start(await server.guest(mine, 'Mia'), 'the invoice is wrong');
    const foreign = await start(await server.guest(theirs, 'Mia'), 'the invoice is wrong');
    // Not support rooms of the app: a group room with the word stays out too.
    const group = await api<{ id: string }>(agent, 'POST', '/v1/rooms', { name: 'Team', kind: 'group' });
    expectStatus(group, 201);
    await send(agent, group.body.id, 'invoice talk among agents');

    expect(page(await search(agent, q('invoice')))).toEqual([own.id]);
    expect(page(await search(theirAgent, q('invoice')))).toEqual([foreign.id]);
    expect(page(await search(agent, q('mia')))).toEqual([own.id]);
  });

  it('is for agents and admins only', async () => {
    const tenant = await server.createTenant();
    const visitor = await server.guest(tenant, 'Vic');
    await start(visitor, 'searching for myself');
    const user = await server.member(tenant, 'plain-user');
    const adminUser = await server.member(tenant, 'boss', { role: 'admin' });
    expectError(await api(visitor, 'GET', `/v1/support/search?${q('searching')}`), 403, 'forbidden');
    expectError(await api(user, 'GET', `/v1/support/search?${q('searching')}`), 403, 'forbidden');
    expect(page(await search(adminUser, q('searching')))).toHaveLength(1);
    expectError(await server.request('GET', `/v1/support/search?${q('searching')}`), 401, 'unauthorized');
  });

  it('does not match deleted messages or system messages', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-di', { role: 'agent', name: 'Dita' });
    const visitor = await server.guest(tenant, 'Ugo');
    const started = await start(visitor, 'hello');
    const secret = await send(visitor, started.id, 'my password is hunter2');
    expect(page(await search(agent, q('hunter2')))).toEqual([started.id]);
    expectStatus(await api(visitor, 'DELETE', `/v1/messages/${secret.id}`), 200);
    expect(page(await search(agent, q('hunter2')))).toEqual([]);

    // "Resolved by Dita" is a system message; the agent's name is not the visitor's.
    expectStatus(await api(agent, 'POST', `/v1/support/conversations/${started.id}/resolve`), 200);
    expect(page(await search(agent, q('resolved')))).toEqual([]);
    expect(page(await search(agent, q('dita')))).toEqual([]);
  });

  it('ranks the better match first, newest first among equals, and pages without repeats', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-ed', { role: 'agent' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await start(await server.guest(tenant, `V${i}`), `question about shipping number ${i}`)).id);
    const best = (await start(await server.guest(tenant, 'Vbest'), 'shipping shipping shipping')).id;

    const all = await search(agent, q('shipping'));
    expect(all.items.map((r) => r.conversation.id)).toEqual([best, ...ids.reverse()]);
    expect(all.hasMore).toBe(false);
    expect(all.nextCursor).toBeUndefined();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page_ = await search(agent, q('shipping', `&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page_.items.length).toBeLessThanOrEqual(2);
      seen.push(...page_.items.map((r) => r.conversation.id));
      cursor = page_.nextCursor;
      expect(Boolean(cursor)).toBe(page_.hasMore);
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.items.map((r) => r.conversation.id));
  });

  it('answers bad queries and cursors with typed errors', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-fe', { role: 'agent' });
    const bad = async (query: string) => expectError(await api(agent, 'GET', `/v1/support/search${query}`), 422, 'validation_failed');
    await bad('');
    await bad('?q=');
    await bad('?q=%20%20');
    await bad(`?${q('x'.repeat(201))}`);
    await bad(`?${q('ok', '&limit=0')}`);
    await bad(`?${q('ok', '&limit=51')}`);
    await bad(`?${q('ok', '&cursor=not-a-cursor')}`);
    await bad(
      `?${q('ok', `&cursor=${Buffer.from(JSON.stringify(['1', '2020-01-01T00:00:00.000Z', randomUUID()])).toString('base64url')}`)}`,
    );
    await bad(`?${q('ok', `&cursor=${Buffer.from(JSON.stringify([1, 'yesterday', randomUUID()])).toString('base64url')}`)}`);
    // A valid cursor of this shape works (nothing after it).
    const cursor = Buffer.from(JSON.stringify([0, '2020-01-01T00:00:00.000Z', randomUUID()])).toString('base64url');
    expect((await search(agent, q('ok', `&cursor=${cursor}`))).items).toEqual([]);
    expect((await search(agent, q('x'.repeat(200)))).items).toEqual([]);
  });

  it('builds prefix queries from words, never from syntax', () => {
    expect(toPrefixQuery('Refund  order')).toBe("'Refund' & 'order':*");
    expect(toPrefixQuery("it's a \\ test")).toBe("'it' & 's' & 'a' & 'test':*");
    expect(toPrefixQuery('& | !')).toBeNull();
  });

  it('uses the full-text indexes for messages and people', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-gi', { role: 'agent' });
    const visitor = await server.guest(tenant, 'Gus');
    const started = await start(visitor, 'first');
    // Tables with enough rows (2,000 conversations, 4,000 messages) that scanning them costs more than the indexes.
    await server.db.raw(
      `with u as (
         insert into users (app_id, kind, role, name, last_name)
         select ?, 'guest', 'user', 'Guest' || g, 'Family' || g from generate_series(1, 2000) g returning id
       ), r as (
         insert into rooms (app_id, kind, status, created_by, last_seq) select ?, 'support', 'open', id, 2 from u returning id
       )
       insert into messages (room_id, seq, sender_id, text)
       select r.id, s, null, 'filler message about ' || (array['boxes', 'labels', 'tape', 'rolls'])[1 + (random() * 3)::int]
       from r, generate_series(1, 2) s`,
      [tenant.id, tenant.id],
    );
    await server.db.raw('analyze messages');
    await server.db.raw('analyze users');
    await server.db.raw('analyze rooms');
    const raw = hitsQuery(server.db, tenant.id, toPrefixQuery('zebra')!, 21, null).toSQL().toNative();
    const result = await server.db.raw(`explain ${raw.sql.replace(/\$(\d+)/g, '?')}`, raw.bindings as string[]);
    const plan = ((result.rows ?? result) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('messages_search_index');
    expect(plan).toContain('users_search_index');
    // And the search still answers over it.
    const found = await search(agent, q('filler message'));
    expect(found.items).toHaveLength(20);
    expect(found.hasMore).toBe(true);
    expect(page(await search(agent, q('first')))).toEqual([started.id]);
  });
});

describe('history around a message', () => {
  it('answers a page centred on the message, older ones pageable with the cursor', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-hu', { role: 'agent' });
    const visitor = await server.guest(tenant, 'Hal');
    const started = await start(visitor, 'm1');
    const sent: MessageDto[] = [started.message!];
    for (let i = 2; i <= 30; i += 1) sent.push(await send(visitor, started.id, `m${i}`));
    const target = sent[14]!; // seq 15

    const res = await api<PageDto<MessageDto>>(agent, 'GET', `/v1/rooms/${started.id}/messages?around=${target.id}&limit=10`);
    expectStatus(res, 200);
    // Agents read support rooms without being members.
    expect(res.body.items.map((m) => m.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(res.body.hasMore).toBe(true);
    const older = await api<PageDto<MessageDto>>(agent, 'GET', `/v1/rooms/${started.id}/messages?before=${res.body.nextCursor}&limit=20`);
    expect(older.body.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // Near the start: fewer older ones, nothing more to page.
    const early = await api<PageDto<MessageDto>>(visitor, 'GET', `/v1/rooms/${started.id}/messages?around=${sent[1]!.id}&limit=6`);
    expect(early.body.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(early.body.hasMore).toBe(false);
    // Near the end: older ones fill the page.
    const late = await api<PageDto<MessageDto>>(agent, 'GET', `/v1/rooms/${started.id}/messages?around=${sent[29]!.id}&limit=10`);
    expect(late.body.items.map((m) => m.seq)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(late.body.hasMore).toBe(true);
  });

  it('refuses a message of another room, a malformed id, and mixing around with before/after', async () => {
    const tenant = await server.createTenant();
    const visitor = await server.guest(tenant, 'Ivo');
    const a = await start(visitor, 'in a');
    const b = await start(visitor, 'in b');
    expectError(await api(visitor, 'GET', `/v1/rooms/${a.id}/messages?around=${b.message!.id}`), 404, 'not_found');
    expectError(await api(visitor, 'GET', `/v1/rooms/${a.id}/messages?around=nope`), 422, 'validation_failed');
    expectError(await api(visitor, 'GET', `/v1/rooms/${a.id}/messages?around=${a.message!.id}&before=3`), 422, 'validation_failed');
    // Someone else's room stays forbidden.
    const stranger = await server.guest(tenant, 'Stranger');
    expectError(await api(stranger, 'GET', `/v1/rooms/${a.id}/messages?around=${a.message!.id}`), 403, 'forbidden');
  });
});

describe('the SDK', () => {
  it('searches and opens a result at its match', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, 'agent-jo', { role: 'agent' });
    const visitor = await server.guest(tenant, 'Jay');
    const started = await start(visitor, 'where is my umbrella order');
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    try {
      await client.connectSession(agent);
      const page_ = await client.support.search({ q: 'umbrel' });
      expect(page_.items.map((r) => r.message?.id)).toEqual([started.message!.id]);
      const around = await client.support.messagesAround(started.id, page_.items[0]!.message!.id, 10);
      expect(around.items.map((m) => m.id)).toEqual([started.message!.id]);
      await expect(client.support.search({ q: '' })).rejects.toMatchObject({ code: 'validation_failed', status: 422 });
    } finally {
      client.close();
    }
  });
});

function page(result: PageDto<SupportSearchResultDto>): string[] {
  return result.items.map((r) => r.conversation.id);
}
