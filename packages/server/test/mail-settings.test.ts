import { randomBytes, randomUUID } from 'node:crypto';

import type { AuthSessionDto, InboundSecretDto, MailDto, MailSettingsDto, PageDto, StartConversationResult } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { sha256Hex } from '../src/services/mail/addresses.js';
import { type ApiResponse, expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { smtpSink } from './helpers/smtp.js';
import { until } from './helpers/wait.js';

const MAIL = { pollMs: 50, retryBaseMs: 300, leaseMs: 10_000 };
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const DEFAULTS = { continuity: true, continuityDelayMinutes: 2, chatUrl: null, notifyAgents: true, notifyAfterMinutes: 5, inboxUrl: null };

const errorOf = (res: ApiResponse) => ({ status: res.status, code: replyError(res.body)?.code });

describe('mail settings and the mails of a conversation', () => {
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let tenant: App;
  let other: App;
  let admin: AuthSessionDto;
  let agent: AuthSessionDto;
  let visitor: AuthSessionDto;

  const api = <T = unknown>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: who.accessToken, body });

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer({
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Acme <help@acme.test>', PUBLIC_URL: 'https://chat.acme.test', ADMIN_TOKEN },
      mail: MAIL,
    });
    tenant = await server.createTenant();
    other = await server.createTenant();
    admin = await server.member(tenant, `ext-${randomUUID()}`, { role: 'admin' });
    agent = await server.member(tenant, `ext-${randomUUID()}`, { role: 'agent' });
    visitor = await server.guest(tenant, 'Vera');
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('gives agents the defaults, with the reply address form and the transport', async () => {
    const res = await api<MailSettingsDto>(agent, 'GET', '/v1/support/mail-settings');
    expectStatus(res, 200);
    expect(res.body).toEqual({ ...DEFAULTS, inboundConfigured: false, replyAddress: 'help+<token>@acme.test', transport: 'smtp' });
    expect(errorOf(await api(visitor, 'GET', '/v1/support/mail-settings'))).toEqual({ status: 403, code: 'forbidden' });
  });

  it('lets admins change any subset, and nobody else; another app keeps its own', async () => {
    const changed = await api<MailSettingsDto>(admin, 'PUT', '/v1/support/mail-settings', {
      continuity: false,
      inboxUrl: 'https://inbox.acme.test/',
    });
    expectStatus(changed, 200);
    expect(changed.body).toMatchObject({ ...DEFAULTS, continuity: false, inboxUrl: 'https://inbox.acme.test/' });
    const again = await api<MailSettingsDto>(admin, 'PUT', '/v1/support/mail-settings', { notifyAfterMinutes: 30, inboxUrl: null });
    expect(again.body).toMatchObject({ ...DEFAULTS, continuity: false, notifyAfterMinutes: 30, inboxUrl: null });
    for (const who of [agent, visitor]) {
      expect(errorOf(await api(who, 'PUT', '/v1/support/mail-settings', { continuity: true }))).toEqual({ status: 403, code: 'forbidden' });
    }
    expect((await api<MailSettingsDto>(agent, 'GET', '/v1/support/mail-settings')).body.continuity).toBe(false);
    const outsider = await server.member(other, `ext-${randomUUID()}`, { role: 'admin' });
    expect((await api<MailSettingsDto>(outsider, 'GET', '/v1/support/mail-settings')).body).toMatchObject(DEFAULTS);
  });

  it('keeps every field of concurrent changes to different fields', async () => {
    const changes = [
      { continuityDelayMinutes: 7 },
      { notifyAfterMinutes: 11 },
      { chatUrl: 'https://acme.test/help' },
      { notifyAgents: false },
    ];
    const replies = await Promise.all(changes.map((body) => api(admin, 'PUT', '/v1/support/mail-settings', body)));
    for (const r of replies) expectStatus(r, 200);
    const now = await api<MailSettingsDto>(admin, 'GET', '/v1/support/mail-settings');
    expect(now.body).toMatchObject(Object.assign({}, ...changes));
  });

  it.each([
    [{ notifyAfterMinutes: 0 }],
    [{ continuityDelayMinutes: 1441 }],
    [{ notifyAfterMinutes: 2.5 }],
    [{ notifyAfterMinutes: '5' }],
    [{ chatUrl: 'javascript:alert(1)' }],
    [{ inboxUrl: 'ftp://inbox.acme.test' }],
    [{ inboxUrl: `https://acme.test/${'a'.repeat(5000)}` }],
    [{ continuity: 'yes' }],
    [{ bogus: true }],
    [{}],
  ])('answers 422 to %j and changes nothing', async (body) => {
    const before = (await api<MailSettingsDto>(admin, 'GET', '/v1/support/mail-settings')).body;
    expect(errorOf(await api(admin, 'PUT', '/v1/support/mail-settings', body))).toEqual({ status: 422, code: 'validation_failed' });
    expect((await api<MailSettingsDto>(admin, 'GET', '/v1/support/mail-settings')).body).toEqual(before);
  });

  it('answers a new inbound secret once, keeps only its hash, and a rotation replaces it', async () => {
    expect(errorOf(await api(agent, 'POST', '/v1/support/mail-settings/inbound-secret'))).toEqual({ status: 403, code: 'forbidden' });
    const first = await api<InboundSecretDto>(admin, 'POST', '/v1/support/mail-settings/inbound-secret');
    expectStatus(first, 200);
    expect(first.body).toEqual({
      username: tenant.id,
      secret: expect.stringMatching(/^ib_[\w-]{43}$/),
      url: 'https://chat.acme.test/v1/inbound/email',
    });
    expect((await api<MailSettingsDto>(agent, 'GET', '/v1/support/mail-settings')).body.inboundConfigured).toBe(true);
    const stored = async () =>
      ((await server.db('apps').where({ id: tenant.id }).first('inbound_secret_hash')) as { inboundSecretHash: string }).inboundSecretHash;
    expect(await stored()).toBe(sha256Hex(first.body.secret));
    const second = await api<InboundSecretDto>(admin, 'POST', '/v1/support/mail-settings/inbound-secret');
    expect(second.body.secret).not.toBe(first.body.secret);
    expect(await stored()).toBe(sha256Hex(second.body.secret));
    expect(JSON.stringify((await api(admin, 'GET', '/v1/support/mail-settings')).body)).not.toContain(second.body.secret);
    // Another app is untouched.
    expect((await server.db('apps').where({ id: other.id }).first('inbound_secret_hash')).inboundSecretHash).toBeNull();
  });

  it('lets the operator make an app’s inbound secret through the admin API (an app with no admin of its own)', async () => {
    const path = `/v1/admin/apps/${other.id}/inbound-secret`;
    expect(errorOf(await server.request('POST', path, { token: admin.accessToken }))).toEqual({ status: 401, code: 'unauthorized' });
    expect(errorOf(await server.request('POST', '/v1/admin/apps/nosuchapp123/inbound-secret', { token: ADMIN_TOKEN }))).toEqual({
      status: 404,
      code: 'not_found',
    });
    const made = await server.request<InboundSecretDto>('POST', path, { token: ADMIN_TOKEN });
    expectStatus(made, 200);
    expect(made.body).toMatchObject({ username: other.id, url: 'https://chat.acme.test/v1/inbound/email' });
    const row = (await server.db('apps').where({ id: other.id }).first('inbound_secret_hash')) as { inboundSecretHash: string };
    expect(row.inboundSecretHash).toBe(sha256Hex(made.body.secret));
    // The secret works on the inbound route: past auth, a mail of the wrong type is 415 (a wrong secret is 401).
    const headers = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${other.id}:${secret}`).toString('base64')}`,
      'content-type': 'text/plain',
    });
    const post = (secret: string) => server.request('POST', '/v1/inbound/email', { raw: 'hello', headers: headers(secret) });
    expect(errorOf(await post(made.body.secret))).toEqual({ status: 415, code: 'unsupported_media_type' });
    expect(errorOf(await post('ib_wrong'))).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('lists the mails of a conversation, sent ones as sent, newest first, page by page; for its app’s staff only', async () => {
    const guest = (
      await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: tenant.id, body: { name: 'Vic', email: 'vic@example.test' } })
    ).body;
    const started = await api<StartConversationResult>(guest, 'POST', '/v1/support/conversations', {
      text: 'Hello',
      clientId: randomUUID(),
    });
    const roomId = started.body.id;
    const addresses = ['one@example.test', 'two@example.test', 'three@example.test'];
    for (const email of addresses) expectStatus(await api(agent, 'POST', `/v1/support/conversations/${roomId}/transcript`, { email }), 202);
    await until('three transcripts received', () => sink.received.filter((r) => r.mail.text?.includes(roomId)).length === 3);
    const all = await until('all marked sent', async () => {
      const res = await api<PageDto<MailDto>>(agent, 'GET', `/v1/support/conversations/${roomId}/mails`);
      return res.body.items.length === 3 && res.body.items.every((m) => m.status === 'sent') && res.body;
    });
    expect(all.items.map((m) => m.to)).toEqual([...addresses].reverse());
    expect(all.items[0]).toMatchObject({
      kind: 'transcript',
      attempts: 1,
      lastError: null,
      subject: `Transcript of your conversation with ${tenant.name}`,
    });
    expect(all.items[0]!.sentAt).toEqual(expect.any(String));

    const page1 = await api<PageDto<MailDto>>(agent, 'GET', `/v1/support/conversations/${roomId}/mails?limit=2`);
    expect(page1.body.items.map((m) => m.to)).toEqual(['three@example.test', 'two@example.test']);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await api<PageDto<MailDto>>(
      agent,
      'GET',
      `/v1/support/conversations/${roomId}/mails?limit=2&cursor=${page1.body.nextCursor!}`,
    );
    expect(page2.body.items.map((m) => m.to)).toEqual(['one@example.test']);
    expect(page2.body).toMatchObject({ hasMore: false });
    expect(page2.body.nextCursor).toBeUndefined();

    expect(errorOf(await api(guest, 'GET', `/v1/support/conversations/${roomId}/mails`))).toEqual({ status: 403, code: 'forbidden' });
    const outsider = await server.member(other, `ext-${randomUUID()}`, { role: 'agent' });
    expect(errorOf(await api(outsider, 'GET', `/v1/support/conversations/${roomId}/mails`))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await api(agent, 'GET', `/v1/support/conversations/${randomUUID()}/mails`))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await api(agent, 'GET', `/v1/support/conversations/${roomId}/mails?cursor=garbage`)).status).toBe(422);
  });

  it('counts mails sent and retried, and the outbox pending, in /metrics', async () => {
    const metric = async (line: RegExp) => Number(line.exec((await server.request<string>('GET', '/metrics')).body)?.[1] ?? 0);
    const sentBefore = await metric(/^confab_mail_sent_total\{kind="transcript"\} (\d+)$/m);
    const retriesBefore = await metric(/^confab_mail_retries_total\{kind="transcript"\} (\d+)$/m);
    sink.refuse.set('metrics@example.test', 1);
    const guest = await server.guest(tenant, 'Mo');
    const started = await api<StartConversationResult>(guest, 'POST', '/v1/support/conversations', {
      text: 'Count me',
      clientId: randomUUID(),
    });
    const roomId = started.body.id;
    expectStatus(await api(agent, 'POST', `/v1/support/conversations/${roomId}/transcript`, { email: 'metrics@example.test' }), 202);
    expect(await metric(/^confab_mail_outbox_pending (\d+)$/m)).toBeGreaterThanOrEqual(1);
    await until(
      'the retried transcript sent',
      async () => (await server.db('mail_outbox').where({ roomId }).first())?.status === 'sent',
      10_000,
    );
    expect(await metric(/^confab_mail_sent_total\{kind="transcript"\} (\d+)$/m)).toBe(sentBefore + 1);
    expect(await metric(/^confab_mail_retries_total\{kind="transcript"\} (\d+)$/m)).toBe(retriesBefore + 1);
    expect(await metric(/^confab_mail_outbox_pending (\d+)$/m)).toBe(0);
  });
});
