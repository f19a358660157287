import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AuthSessionDto, MessageDto, StartConversationResult, TranscriptQueuedDto } from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { createLogger } from '../src/logger.js';
import { expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { smtpSink, unsubscribeHeader as unsubscribe } from './helpers/smtp.js';
import { sleep, until } from './helpers/wait.js';

const MAIL_TIMING = { pollMs: 50, retryBaseMs: 300, leaseMs: 10_000 };
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

const api = <T = unknown>(on: TestServer, session: AuthSessionDto, method: string, path: string, body?: unknown) =>
  on.request<T>(method, path, { token: session.accessToken, body });

async function visitorWithEmail(on: TestServer, app: App, email: string | undefined): Promise<AuthSessionDto> {
  const res = await on.request<AuthSessionDto>('POST', '/v1/auth/guest', {
    app: app.id,
    body: { name: 'Vera', ...(email ? { email } : {}) },
  });
  expectStatus(res, 201);
  return res.body;
}

async function conversation(on: TestServer, visitor: AuthSessionDto, text: string): Promise<string> {
  const res = await api<StartConversationResult>(on, visitor, 'POST', '/v1/support/conversations', { text, clientId: randomUUID() });
  expectStatus(res, 201);
  return res.body.id;
}

async function say(on: TestServer, session: AuthSessionDto, roomId: string, text: string): Promise<void> {
  expectStatus(await api<MessageDto>(on, session, 'POST', `/v1/rooms/${roomId}/messages`, { text, clientId: randomUUID() }), 201);
}

const transcript = (on: TestServer, session: AuthSessionDto, roomId: string, body: unknown = {}) =>
  api<TranscriptQueuedDto>(on, session, 'POST', `/v1/support/conversations/${roomId}/transcript`, body);

describe('transcripts over SMTP', () => {
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let tenant: App;
  let other: App;
  let agent: AuthSessionDto;

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Acme Support <help@acme.test>' }, mail: MAIL_TIMING });
    tenant = await server.createTenant();
    other = await server.createTenant();
    agent = await server.member(tenant, `ext-${randomUUID()}`, { role: 'agent', name: 'Bob' });
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('mails the visitor the messages in order, with no private note, once for a double request', async () => {
    const visitor = await visitorWithEmail(server, tenant, 'vera@example.test');
    const roomId = await conversation(server, visitor, 'My parcel is late');
    await say(server, agent, roomId, 'Sorry! Checking now.');
    await say(server, visitor, roomId, 'Thanks, order 1042');
    const secret = `SECRET-NOTE-${randomBytes(4).toString('hex')}`;
    expectStatus(
      await api(server, agent, 'POST', `/v1/support/conversations/${roomId}/notes`, { text: secret, clientId: randomUUID() }),
      201,
    );

    const [first, second] = await Promise.all([transcript(server, visitor, roomId), transcript(server, visitor, roomId)]);
    expectStatus(first, 202);
    expectStatus(second, 202);
    expect(first.body).toEqual({ queued: true, to: 'vera@example.test' });

    const got = await until('the transcript', () => sink.received.find((r) => r.mail.text?.includes(roomId)));
    await sleep(400);
    expect(sink.received.filter((r) => r.mail.text?.includes(roomId))).toHaveLength(1);
    const mail = got.mail;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['vera@example.test']);
    expect(mail.from?.value[0]).toEqual({ address: 'help@acme.test', name: 'Acme Support' });
    expect(mail.subject).toBe(`Transcript of your conversation with ${tenant.name}`);
    expect(mail.messageId).toMatch(/^<transcript\.[0-9a-f]{32}@acme\.test>$/);
    expect(unsubscribe(mail)).toBe('<mailto:help@acme.test?subject=unsubscribe>');
    const text = mail.text ?? '';
    const order = ['My parcel is late', 'Bob (agent): Sorry! Checking now.', 'Vera: Thanks, order 1042'].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).not.toContain(secret);
    expect(String(mail.html)).toContain('Sorry! Checking now.');
    expect(String(mail.html)).not.toContain(secret);
  });

  it('lets an agent send it to any address, and refuses another visitor and another app', async () => {
    const visitor = await visitorWithEmail(server, tenant, undefined);
    const roomId = await conversation(server, visitor, 'Question about <b>billing</b>');
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    try {
      await client.connectSession(agent);
      expect(await client.support.transcript(roomId, 'Boss@Example.test')).toEqual({ queued: true, to: 'boss@example.test' });
    } finally {
      client.close();
    }
    const got = await until('the agent-sent transcript', () => sink.received.find((r) => r.mail.text?.includes(roomId)));
    expect(got.mail.text).toContain('Question about <b>billing</b>');
    expect(String(got.mail.html)).toContain('Question about &lt;b&gt;billing&lt;/b&gt;');

    const stranger = await visitorWithEmail(server, tenant, 'eve@example.test');
    const outsider = await server.member(other, `ext-${randomUUID()}`, { role: 'agent' });
    for (const [who, body] of [
      [stranger, {}],
      [outsider, { email: 'x@example.test' }],
    ] as const) {
      const refused = await transcript(server, who, roomId, body);
      expect({ status: refused.status, code: replyError(refused.body)?.code }).toEqual({ status: 404, code: 'not_found' });
    }
  });

  it('answers 422 when no email is known and none is given, and throttles a visitor to 3 an hour', async () => {
    const visitor = await visitorWithEmail(server, tenant, undefined);
    const roomId = await conversation(server, visitor, 'No email here');
    const missing = await transcript(server, visitor, roomId);
    expect({ status: missing.status, code: replyError(missing.body)?.code }).toEqual({ status: 422, code: 'validation_failed' });
    expect(replyError(missing.body)?.message).toMatch(/email/);
    const bad = await transcript(server, visitor, roomId, { email: 'not an address' });
    expect(bad.status).toBe(422);
    for (let i = 0; i < 3; i++) expectStatus(await transcript(server, visitor, roomId, { email: `me${i}@example.test` }), 202);
    const limited = await transcript(server, visitor, roomId, { email: 'me9@example.test' });
    expect({ status: limited.status, code: replyError(limited.body)?.code }).toEqual({ status: 429, code: 'rate_limited' });
  });

  it('retries with backoff after the SMTP server answers 451, and sends it once', async () => {
    const visitor = await visitorWithEmail(server, tenant, 'retry@example.test');
    const roomId = await conversation(server, visitor, 'Please retry');
    sink.refuse.set('retry@example.test', 1);
    const before = sink.refusals.length;
    expectStatus(await transcript(server, visitor, roomId), 202);
    const got = await until('the retried transcript', () => sink.received.find((r) => r.mail.text?.includes(roomId)), 10_000);
    expect(sink.refusals.length).toBe(before + 1);
    // The first retry waits retryBaseMs (±20%).
    expect(got.at - sink.refusals.at(-1)!).toBeGreaterThanOrEqual(200);
    // Received before the sender marks it: wait for the mark.
    const row = await until('the row marked sent', async () => {
      const found = await server.db('mail_outbox').where({ roomId }).first();
      return found?.status === 'sent' && found;
    });
    expect(row).toMatchObject({ status: 'sent', attempts: 2, kind: 'transcript', to: 'retry@example.test' });
    expect(row.messageId).toBe(got.mail.messageId);
  });

  it('sends a row whose sender died mid-send once its lease ends, with the Message-ID it was queued with', async () => {
    const messageId = `<transcript.${randomBytes(16).toString('hex')}@acme.test>`;
    const dedupeKey = `test:${randomUUID()}`;
    // As a node leaves a row it claimed and then died with: attempts counted, leased a while longer.
    await server.db('mail_outbox').insert({
      appId: tenant.id,
      kind: 'transcript',
      to: 'orphan@example.test',
      subject: 'Left behind',
      textBody: `Orphaned ${dedupeKey}`,
      messageId,
      dedupeKey,
      attempts: 1,
      nextAttemptAt: server.db.raw("now() + interval '400 milliseconds'"),
    });
    await sleep(200);
    expect(sink.received.some((r) => r.mail.text?.includes(dedupeKey))).toBe(false);
    const got = await until('the orphaned mail', () => sink.received.find((r) => r.mail.text?.includes(dedupeKey)));
    expect(got.mail.messageId).toBe(messageId);
    await until('the row marked sent', async () => (await server.db('mail_outbox').where({ dedupeKey }).first())?.status === 'sent');
    expect(sink.received.filter((r) => r.mail.text?.includes(dedupeKey))).toHaveLength(1);
  });
});

describe.runIf(clustered)('the mail sender on two nodes', () => {
  let first: TestServer;
  let second: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;

  beforeAll(async () => {
    // A slow server: both nodes are busy sending at once.
    sink = await smtpSink(30);
    const env = { SMTP_URL: sink.url };
    first = await startTestServer({ env, mail: { ...MAIL_TIMING, concurrency: 2 } });
    second = await startTestServer({ env, mail: { ...MAIL_TIMING, concurrency: 2 }, peer: first });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sink?.close();
  });

  it('sends each queued mail once', async () => {
    const tenant = await first.createTenant();
    const rooms: string[] = [];
    for (let i = 0; i < 12; i++) {
      const visitor = await visitorWithEmail(first, tenant, `v${i}@example.test`);
      const roomId = await conversation(first, visitor, `Conversation ${i}`);
      rooms.push(roomId);
      // Requests land on both nodes; each node's sender hears of its own rows at once, polls for the rest.
      expectStatus(await transcript(i % 2 ? second : first, visitor, roomId), 202);
    }
    await until(
      'every transcript sent',
      async () => {
        const rows = await first.db('mail_outbox').whereIn('roomId', rooms).where({ status: 'sent' });
        return rows.length === rooms.length;
      },
      15_000,
    );
    await sleep(300);
    const ours = sink.received.filter((r) => rooms.some((id) => r.mail.text?.includes(id)));
    expect(ours).toHaveLength(rooms.length);
    expect(new Set(ours.map((r) => r.mail.messageId)).size).toBe(rooms.length);
  });
});

describe('transcripts without SMTP_URL', () => {
  let server: TestServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('info', { format: 'json', destination: { write: (line: string) => lines.push(line) } });
    server = await startTestServer({ logger, mail: MAIL_TIMING });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('writes one .eml under DATA_DIR/mail and logs its path', async () => {
    const tenant = await server.createTenant();
    const visitor = await visitorWithEmail(server, tenant, 'file@example.test');
    const roomId = await conversation(server, visitor, 'Written to a file');
    expectStatus(await transcript(server, visitor, roomId), 202);
    expectStatus(await transcript(server, visitor, roomId), 202);
    const dir = join(server.config.dataDir, 'mail');
    const logged = await until('the log line', () =>
      lines.map((l) => JSON.parse(l) as { msg: string; path?: string }).find((l) => l.msg.startsWith('mail written')),
    );
    await sleep(300);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    expect(logged.path).toBe(join(dir, files[0]!));
    const mail = await simpleParser(readFileSync(logged.path!));
    expect(mail.subject).toBe(`Transcript of your conversation with ${tenant.name}`);
    expect(mail.text).toContain('Vera: Written to a file');
    expect(unsubscribe(mail)).toBe('<mailto:no-reply@localhost?subject=unsubscribe>');
    expect(mail.messageId).toMatch(/@localhost>$/);
  });
});
