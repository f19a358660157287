import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AttachmentDto, AuthSessionDto, MessageDto, ReadStateDto, StartConversationResult, VisitorInfo } from '@confab/protocol';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { sha256Hex } from '../src/services/mail/addresses.js';
import { MAIL_SETTINGS_DEFAULTS } from '../src/services/mail/settings.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';
import { type Received, smtpSink, unsubscribeHeader } from './helpers/smtp.js';
import { connect } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

// A settings' minute is 250 ms here: the default delay of 2 minutes is half a second (room for a
// loaded machine to send a burst of replies within it).
const MAIL_TIMING = { pollMs: 50, scheduleMs: 50, minuteMs: 250 };
const DELAY_MS = 2 * MAIL_TIMING.minuteMs;
/** How long a due mail may take to arrive on a loaded machine (the sender polls, SMTP takes a moment). */
const ARRIVAL_MS = 15_000;
const MAIL_FROM = 'Acme Support <help@acme.test>';
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

const api = <T = unknown>(on: TestServer, session: AuthSessionDto, method: string, path: string, body?: unknown) =>
  on.request<T>(method, path, { token: session.accessToken, body });

async function visitor(on: TestServer, app: App, email: string): Promise<AuthSessionDto> {
  const res = await on.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: app.id, body: { name: 'Vera', email } });
  expectStatus(res, 201);
  return res.body;
}

async function conversation(on: TestServer, session: AuthSessionDto, info: VisitorInfo = {}): Promise<string> {
  const body = { text: 'Where is my parcel?', clientId: randomUUID(), visitor: info };
  const res = await api<StartConversationResult>(on, session, 'POST', '/v1/support/conversations', body);
  expectStatus(res, 201);
  return res.body.id;
}

async function say(on: TestServer, session: AuthSessionDto, roomId: string, text: string, attachments: string[] = []): Promise<MessageDto> {
  const res = await api<MessageDto>(on, session, 'POST', `/v1/rooms/${roomId}/messages`, { text, clientId: randomUUID(), attachments });
  expectStatus(res, 201);
  return res.body;
}

async function upload(on: TestServer, session: AuthSessionDto, name: string, content: string): Promise<AttachmentDto> {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/plain' }), name);
  const res = await fetch(`${on.url}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as AttachmentDto;
}

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address));
const mailsTo = (received: Received[], address: string) => received.filter((r) => addresses(r.mail.to).includes(address));

describe('continuity mails over SMTP', () => {
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let tenant: App;
  let agent: AuthSessionDto;
  let admin: AuthSessionDto;

  beforeAll(async () => {
    sink = await smtpSink();
    const env = { SMTP_URL: sink.url, MAIL_FROM, PUBLIC_URL: 'https://chat.acme.test' };
    server = await startTestServer({ env, mail: MAIL_TIMING });
    tenant = await server.createTenant();
    agent = await server.member(tenant, `ext-${randomUUID()}`, { role: 'agent', name: 'Ana' });
    admin = await server.member(tenant, `ext-${randomUUID()}`, { role: 'admin', name: 'Boss' });
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('mails a burst of unread replies once, after the delay, with the reply address, a text part and the unsubscribe link', async () => {
    const email = `vera-${randomUUID()}@example.test`;
    const vera = await visitor(server, tenant, email);
    const roomId = await conversation(server, vera, { pageUrl: 'https://shop.test/pricing?plan=pro#faq', locale: 'en-GB' });
    const label = await upload(server, agent, 'label.txt', 'Shipping label');
    // Two replies at once: a burst, well within the delay.
    const burst = await Promise.all([
      say(server, agent, roomId, 'Sorry! Checking now.'),
      say(server, agent, roomId, 'Found it: it ships <today>.', [label.id]),
    ]);

    const got = await until('the continuity mail', () => mailsTo(sink.received, email)[0], ARRIVAL_MS);
    const newest = Math.max(...burst.map((m) => new Date(m.createdAt).getTime()));
    expect(got.at - newest).toBeGreaterThanOrEqual(DELAY_MS);
    await sleep(DELAY_MS * 3);
    expect(mailsTo(sink.received, email)).toHaveLength(1);

    const mail = got.mail;
    expect(mail.subject).toBe(`Ana replied to your conversation with ${tenant.name}`);
    const replyTo = addresses(mail.replyTo)[0] ?? '';
    expect(replyTo).toMatch(/^help\+[a-z2-7]{32}@acme\.test$/);
    const token = /\+([a-z2-7]+)@/.exec(replyTo)![1]!;
    expect(await server.db('mail_reply_tokens').where({ roomId }).first('token_hash', 'app_id')).toEqual({
      tokenHash: sha256Hex(token),
      appId: tenant.id,
    });
    const text = mail.text ?? '';
    expect(text.split('\n')[0]).toBe('##- Type your reply above this line -##');
    expect(text).toContain('Sorry! Checking now.');
    expect(text).toContain('Found it: it ships <today>.');
    expect(text).toContain('Attachment: label.txt');
    expect(text).not.toContain('Where is my parcel?');
    expect(text).toContain('Reply to this email, or continue the chat: https://shop.test/pricing?plan=pro#confab-open');
    expect(String(mail.html)).toContain('it ships &lt;today&gt;.');
    expect(String(mail.html)).not.toContain('<today>');
    // A long header is folded over lines.
    const unsubscribe = (unsubscribeHeader(mail) ?? '').replace(/\s+/g, ' ');
    expect(unsubscribe).toMatch(
      /^<https:\/\/chat\.acme\.test\/v1\/mail\/unsubscribe\?t=[^>]+>, <mailto:help@acme\.test\?subject=unsubscribe>$/,
    );
    expect(text).toContain(`Unsubscribe: ${/^<([^>]+)>/.exec(unsubscribe)![1]}`);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('threads a later reply under the first mail, carrying only the new message', async () => {
    const email = `thread-${randomUUID()}@example.test`;
    const vera = await visitor(server, tenant, email);
    const roomId = await conversation(server, vera, { locale: 'pt-BR' });
    await say(server, agent, roomId, 'Primeira resposta');
    const firstMail = (await until('the first mail', () => mailsTo(sink.received, email)[0], ARRIVAL_MS)).mail;
    await say(server, agent, roomId, 'Segunda resposta');
    const second = (await until('the second mail', () => mailsTo(sink.received, email)[1], ARRIVAL_MS)).mail;

    expect(firstMail.subject).toBe(`Ana respondeu à sua conversa com ${tenant.name}`);
    expect(firstMail.text?.split('\n')[0]).toBe('##- Escreva sua resposta acima desta linha -##');
    expect(second.inReplyTo).toBe(firstMail.messageId);
    expect(second.references).toEqual(firstMail.messageId);
    expect(second.text).toContain('Segunda resposta');
    expect(second.text).not.toContain('Primeira resposta');
    expect(addresses(second.replyTo)).toEqual(addresses(firstMail.replyTo));
    // No page known and no chatUrl set: no link, only the invitation to reply.
    expect(second.text).toContain('Responda a este e-mail para continuar a conversa.');
    expect(second.text).not.toContain('#confab-open');
  });

  it('mails nothing when the visitor read the reply before the delay, or is unsubscribed', async () => {
    // An app of its own with a longer delay (1.5 s): the read surely comes first.
    const patient = await server.createTenant();
    await server.app.services.apps.updateSettings(patient.id, { mail: { ...MAIL_SETTINGS_DEFAULTS, continuityDelayMinutes: 6 } });
    const patientAgent = await server.member(patient, `ext-${randomUUID()}`, { role: 'agent', name: 'Ana' });
    const readerEmail = `reader-${randomUUID()}@example.test`;
    const reader = await visitor(server, patient, readerEmail);
    const readRoom = await conversation(server, reader);
    const goneEmail = `Gone-${randomUUID()}@Example.test`;
    const goneRoom = await conversation(server, await visitor(server, patient, goneEmail));
    await server.db('mail_unsubscribes').insert({ appId: patient.id, address: goneEmail.toLowerCase() });
    // A conversation that does get its mail: once it arrives, the others have had their chance.
    const controlEmail = `control-${randomUUID()}@example.test`;
    const controlRoom = await conversation(server, await visitor(server, patient, controlEmail));

    const reply = await say(server, patientAgent, readRoom, 'Read me in the chat');
    const read = await api<ReadStateDto>(server, reader, 'POST', `/v1/rooms/${readRoom}/read`, { seq: reply.seq });
    expectStatus(read, 200);
    expect(read.body.seq).toBe(reply.seq);
    expect(Date.now() - new Date(reply.createdAt).getTime()).toBeLessThan(6 * MAIL_TIMING.minuteMs);
    await say(server, patientAgent, goneRoom, 'You unsubscribed');
    await say(server, patientAgent, controlRoom, 'You get this one');

    await until('the control mail', () => mailsTo(sink.received, controlEmail)[0], ARRIVAL_MS);
    await sleep(DELAY_MS * 2);
    expect(mailsTo(sink.received, readerEmail)).toHaveLength(0);
    expect(await server.db('mail_outbox').whereIn('roomId', [readRoom, goneRoom]).count('* as n').first()).toEqual({ n: 0 });
  });

  it('holds the mail while the visitor is online, and sends it once they have left', async () => {
    const email = `online-${randomUUID()}@example.test`;
    const vera = await visitor(server, tenant, email);
    const roomId = await conversation(server, vera);
    const socket = await connect(server, vera);
    const controlEmail = `control-${randomUUID()}@example.test`;
    const controlRoom = await conversation(server, await visitor(server, tenant, controlEmail));
    try {
      await say(server, agent, roomId, 'Are you still there?');
      await say(server, agent, controlRoom, 'Control');
      await until('the control mail', () => mailsTo(sink.received, controlEmail)[0], ARRIVAL_MS);
      await sleep(DELAY_MS * 2);
      expect(mailsTo(sink.received, email)).toHaveLength(0);
    } finally {
      socket.close();
    }
    const got = await until('the mail after leaving', () => mailsTo(sink.received, email)[0], ARRIVAL_MS);
    expect(got.mail.text).toContain('Are you still there?');
  });

  it("sends nothing for an app with continuity off, and links to the app's chatUrl when set", async () => {
    expectStatus(await api(server, admin, 'PUT', '/v1/support/mail-settings', { continuity: false }), 200);
    const offEmail = `off-${randomUUID()}@example.test`;
    const offRoom = await conversation(server, await visitor(server, tenant, offEmail), { pageUrl: 'https://shop.test/' });
    await say(server, agent, offRoom, 'Not mailed');
    await sleep(DELAY_MS * 3);
    expect(mailsTo(sink.received, offEmail)).toHaveLength(0);

    const settings = { continuity: true, chatUrl: 'https://acme.test/help', continuityDelayMinutes: 3 };
    expectStatus(await api(server, admin, 'PUT', '/v1/support/mail-settings', settings), 200);
    const got = await until('the mail once continuity is on', () => mailsTo(sink.received, offEmail)[0], ARRIVAL_MS);
    expect(got.mail.text).toContain('continue the chat: https://acme.test/help#confab-open');
  });
});

describe.runIf(clustered)('continuity on two nodes', () => {
  let first: TestServer;
  let second: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;

  beforeAll(async () => {
    sink = await smtpSink();
    const env = { SMTP_URL: sink.url, MAIL_FROM };
    first = await startTestServer({ env, mail: { ...MAIL_TIMING, scheduleMs: 20 } });
    second = await startTestServer({ env, mail: { ...MAIL_TIMING, scheduleMs: 20 }, peer: first });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sink?.close();
  });

  it('queues one mail per reply though both nodes look at once', async () => {
    const tenant = await first.createTenant();
    const agent = await first.member(tenant, `ext-${randomUUID()}`, { role: 'agent', name: 'Ana' });
    const emails: string[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `both-${i}-${randomUUID()}@example.test`;
      emails.push(email);
      const session = await visitor(i % 2 ? second : first, tenant, email);
      await say(first, agent, await conversation(second, session), `Reply ${i}`);
    }
    await until('every mail', () => emails.every((e) => mailsTo(sink.received, e).length > 0), ARRIVAL_MS);
    await sleep(DELAY_MS * 2);
    for (const email of emails) expect(mailsTo(sink.received, email)).toHaveLength(1);
    expect(await first.db('mail_outbox').where({ kind: 'continuity', appId: tenant.id }).count('* as n').first()).toEqual({ n: 6 });
  });
});

describe('continuity without SMTP_URL', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ mail: MAIL_TIMING });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('writes the mail as an .eml under DATA_DIR/mail, with its reply address', async () => {
    const tenant = await server.createTenant();
    const agent = await server.member(tenant, `ext-${randomUUID()}`, { role: 'agent', name: 'Ana' });
    const roomId = await conversation(server, await visitor(server, tenant, 'files@example.test'));
    await say(server, agent, roomId, 'Written to disk');
    const dir = join(server.config.dataDir, 'mail');
    const parsed = await until(
      'the .eml file',
      async () => {
        let files: string[];
        try {
          files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
        } catch {
          // Not made until the first mail is written.
          return null;
        }
        const [file] = files;
        return file ? simpleParser(readFileSync(join(dir, file))) : null;
      },
      ARRIVAL_MS,
    );
    const mail: ParsedMail = parsed;
    expect(addresses(mail.to)).toEqual(['files@example.test']);
    expect(addresses(mail.replyTo)[0]).toMatch(/^no-reply\+[a-z2-7]{32}@localhost$/);
    expect(mail.text).toContain('Written to disk');
  });
});
