import type {
  AppDto,
  AuthSessionDto,
  MessageDto,
  PageDto,
  RoomListItemDto,
  StartConversationResult,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportSettingsDto,
  VisitorInfo,
} from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';

const ADMIN_TOKEN = 'admin-token-of-the-support-visitor-test';

let server: TestServer;
let tenant: App;
let otherTenant: App;
let agent: AuthSessionDto;

beforeAll(async () => {
  server = await startTestServer({ env: { ADMIN_TOKEN } });
  [tenant, otherTenant] = await Promise.all([server.createTenant(), server.createTenant()]);
  agent = await server.member(tenant, undefined, { role: 'agent', name: 'Ana' });
});
afterAll(() => server?.close());

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function start(visitor: AuthSessionDto, info: VisitorInfo = {}, text = 'Hello'): Promise<StartConversationResult> {
  const res = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', {
    text,
    clientId: crypto.randomUUID(),
    visitor: info,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function inbox(session: AuthSessionDto, query: string): Promise<SupportInboxItemDto[]> {
  const res = await api<PageDto<SupportInboxItemDto>>(session, 'GET', `/v1/support/conversations${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

const patchSettings = (app: App, body: unknown) =>
  server.request<AppDto>('PATCH', `/v1/admin/apps/${app.id}/settings`, { body, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

async function supportSettings(app: App): Promise<SupportSettingsDto> {
  const res = await server.request<SupportSettingsDto>('GET', '/v1/support/settings', { app: app.id });
  expect(res.status).toBe(200);
  return res.body;
}

describe('replyTime, how fast the team usually replies', () => {
  it('is null until set, then shown to the widget; null removes it; other values are refused', async () => {
    const app = await server.createTenant();
    expect((await supportSettings(app)).replyTime).toBeNull();

    const set = await patchSettings(app, { replyTime: 'minutes' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.settings.replyTime).toBe('minutes');
    expect(await supportSettings(app)).toMatchObject({ replyTime: 'minutes', greeting: null });
    // Other settings merge beside it.
    expect((await patchSettings(app, { greeting: 'Hi!', replyTime: 'day' })).status).toBe(200);
    expect(await supportSettings(app)).toMatchObject({ replyTime: 'day', greeting: 'Hi!' });
    // The SDK reads it too.
    const client = createClient({ url: server.url, app: app.id });
    expect((await client.support.settings()).replyTime).toBe('day');
    client.close();

    for (const bad of ['weeks', 'MINUTES', 5, '']) expectError(await patchSettings(app, { replyTime: bad }), 422, 'validation_failed');
    expect((await supportSettings(app)).replyTime).toBe('day');

    expect((await patchSettings(app, { replyTime: null })).body.settings).not.toHaveProperty('replyTime');
    expect(await supportSettings(app)).toMatchObject({ replyTime: null, greeting: 'Hi!' });
  });
});

describe("the visitor's time zone", () => {
  it('is kept with the conversation and shown to agents in support.visitor', async () => {
    const visitor = await server.guest(tenant, 'Tomás');
    const started = await start(visitor, { locale: 'pt-PT', timezone: 'America/Argentina/Buenos_Aires' });
    expect(started.support.visitor).toEqual({ locale: 'pt-PT', timezone: 'America/Argentina/Buenos_Aires' });
    const seen = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${started.id}`);
    expect(seen.body.support.visitor.timezone).toBe('America/Argentina/Buenos_Aires');
    const row = (await inbox(agent, `?visitorId=${visitor.user.id}`)).find((c) => c.id === started.id);
    expect(row?.support.visitor.timezone).toBe('America/Argentina/Buenos_Aires');
    // Other shapes of real zone names.
    for (const timezone of ['UTC', 'Etc/GMT+3', 'America/Port-au-Prince', 'Europe/Lisbon']) {
      expect((await start(visitor, { timezone })).support.visitor.timezone).toBe(timezone);
    }
  });

  it('refuses what is not a zone name, or longer than 64 characters, and starts nothing', async () => {
    const visitor = await server.guest(tenant);
    for (const timezone of ['Europe Lisbon', '../etc/passwd', '<script>', '+01:00', `Area/${'x'.repeat(60)}`, 42]) {
      const res = await api(visitor, 'POST', '/v1/support/conversations', { visitor: { timezone } });
      expectError(res, 422, 'validation_failed');
      expect(JSON.stringify(res.body)).toContain('timezone');
    }
    expect(await inbox(agent, `?visitorId=${visitor.user.id}`)).toEqual([]);
  });
});

describe("a visitor's previous conversations", () => {
  it('are the inbox filtered by visitorId: theirs only, open and resolved, newest first, for agents of the app', async () => {
    const [vera, walt] = await Promise.all([server.guest(tenant, 'Vera'), server.guest(tenant, 'Walt')]);
    const first = await start(vera, {}, 'My order is late');
    expect((await api(agent, 'POST', `/v1/support/conversations/${first.id}/resolve`)).status).toBe(200);
    // A visitor may start another conversation (also while one is open).
    const second = await start(vera, {}, 'Another question');
    const third = await start(vera, {}, 'And one more');
    await start(walt);

    const theirs = await inbox(agent, `?visitorId=${vera.user.id}`);
    expect(theirs.map((c) => c.id)).toEqual([third.id, second.id, first.id]);
    expect(theirs.map((c) => c.support.status)).toEqual(['open', 'open', 'resolved']);
    expect(new Set(theirs.map((c) => c.visitor?.id))).toEqual(new Set([vera.user.id]));
    // Combined with the other filters, and paged.
    expect((await inbox(agent, `?visitorId=${vera.user.id}&status=resolved`)).map((c) => c.id)).toEqual([first.id]);
    const page = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', `/v1/support/conversations?visitorId=${vera.user.id}&limit=2`);
    expect(page.body.items.map((c) => c.id)).toEqual([third.id, second.id]);
    const next = await api<PageDto<SupportInboxItemDto>>(
      agent,
      'GET',
      `/v1/support/conversations?visitorId=${vera.user.id}&limit=2&cursor=${encodeURIComponent(page.body.nextCursor!)}`,
    );
    expect(next.body.items.map((c) => c.id)).toEqual([first.id]);

    // The SDK's inbox takes the filter.
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    await client.connectSession(agent);
    expect((await client.support.inbox({ visitorId: vera.user.id })).items.map((c) => c.id)).toEqual([third.id, second.id, first.id]);
    client.close();

    // Another app's agent sees none of them; a visitor may not filter the inbox; a bad id is refused.
    const foreignAgent = await server.member(otherTenant, undefined, { role: 'agent' });
    expect(await inbox(foreignAgent, `?visitorId=${vera.user.id}`)).toEqual([]);
    expectError(await api(vera, 'GET', `/v1/support/conversations?visitorId=${vera.user.id}`), 403, 'forbidden');
    expectError(await api(agent, 'GET', '/v1/support/conversations?visitorId=not-an-id'), 422, 'validation_failed');

    // The visitor lists their own conversations (with their status) as rooms.
    const rooms = await api<PageDto<RoomListItemDto>>(vera, 'GET', '/v1/rooms');
    const mine = rooms.body.items.filter((r) => r.kind === 'support');
    expect(mine.map((r) => [r.id, r.support?.status])).toEqual([
      [third.id, 'open'],
      [second.id, 'open'],
      [first.id, 'resolved'],
    ]);
  });

  it('reopens a resolved conversation when the visitor writes into it', async () => {
    const visitor = await server.guest(tenant);
    const started = await start(visitor);
    expect((await api(agent, 'POST', `/v1/support/conversations/${started.id}/resolve`)).status).toBe(200);
    const sent = await api<MessageDto>(visitor, 'POST', `/v1/rooms/${started.id}/messages`, {
      clientId: crypto.randomUUID(),
      text: 'Still broken',
    });
    expect(sent.status).toBe(201);
    const after = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${started.id}`);
    expect(after.body.support).toMatchObject({ status: 'open', resolvedAt: null });
  });
});

describe("the visitor's full name", () => {
  it('comes with lastName (and email) in the inbox, the conversation and the started conversation', async () => {
    const alice = await server.member(tenant, undefined, { name: 'Alice', lastName: 'Liddell', email: 'alice@example.org' });
    const started = await start(alice);
    expect(started.visitor).toMatchObject({ id: alice.user.id, name: 'Alice', lastName: 'Liddell', email: 'alice@example.org' });
    const row = (await inbox(agent, `?visitorId=${alice.user.id}`))[0];
    expect(row?.visitor).toMatchObject({ name: 'Alice', lastName: 'Liddell', email: 'alice@example.org' });
    const one = await api<SupportConversationDto>(agent, 'GET', `/v1/support/conversations/${started.id}`);
    expect(one.body.visitor).toMatchObject({ name: 'Alice', lastName: 'Liddell' });
    // A guest has none.
    const guest = await server.guest(tenant, 'Sam');
    expect((await start(guest)).visitor).toMatchObject({ name: 'Sam', lastName: null });
  });
});
