import { randomUUID } from 'node:crypto';

import type {
  AuthSessionDto,
  InboundMailResultDto,
  InboundSecretDto,
  MessageDto,
  PageDto,
  StartConversationResult,
} from '@confab/protocol';
import type { AddressObject, ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { smtpSink } from './helpers/smtp.js';
import { until } from './helpers/wait.js';

const MAIL_TIMING = { pollMs: 50, scheduleMs: 50, minuteMs: 50 };
// A real 1x1 RGBA PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

const api = <T = unknown>(on: TestServer, session: AuthSessionDto, method: string, path: string, body?: unknown) =>
  on.request<T>(method, path, { token: session.accessToken, body });

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

const compose = (options: Mail.Options): Promise<Buffer> => new MailComposer(options).compile().build();

/** A reply as a mail program writes it: the answer on top, a signature, the quoted original below. */
function replyTo(original: ParsedMail, from: string, extra: Mail.Options = {}): Mail.Options {
  const quoted = (original.text ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return {
    from,
    to: addresses(original.replyTo)[0],
    subject: `Re: ${original.subject ?? ''}`,
    inReplyTo: original.messageId,
    messageId: `<${randomUUID()}@mail.example.test>`,
    text: [
      'Size M, please.',
      'Thanks!',
      '',
      '-- ',
      'Vera Visitor',
      'Things Inc.',
      '',
      // Wrapped over two lines, as mail programs do with long names.
      'On Wed, 2 Dec 2026 at 10:00, Acme Support',
      '<help@acme.test> wrote:',
      quoted,
    ].join('\n'),
    ...extra,
  };
}

describe('replies by email (POST /v1/inbound/email)', () => {
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let tenant: App;
  let other: App;
  let agent: AuthSessionDto;
  let vera: AuthSessionDto;
  let roomId: string;
  let original: ParsedMail;
  let secret: InboundSecretDto;
  let otherSecret: InboundSecretDto;

  const post = (raw: Buffer | string, credentials: InboundSecretDto | null = secret, type = 'message/rfc822') =>
    server.request<InboundMailResultDto>('POST', '/v1/inbound/email', {
      raw: raw as string,
      headers: {
        'content-type': type,
        ...(credentials
          ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64')}` }
          : {}),
      },
    });

  const messages = async () => (await api<PageDto<MessageDto>>(server, agent, 'GET', `/v1/rooms/${roomId}/messages?limit=100`)).body.items;

  async function visitor(app: App, email: string): Promise<AuthSessionDto> {
    return (await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: app.id, body: { name: 'Vera', email } })).body;
  }

  async function conversationWithMail(app: App, session: AuthSessionDto, email: string): Promise<{ id: string; mail: ParsedMail }> {
    const started = await api<StartConversationResult>(server, session, 'POST', '/v1/support/conversations', {
      text: 'Which sizes do you have?',
      clientId: randomUUID(),
    });
    const id = started.body.id;
    expect(
      (await api(server, agent, 'POST', `/v1/rooms/${id}/messages`, { text: 'S, M and L. Which one?', clientId: randomUUID() })).status,
    ).toBe(201);
    const got = await until('the continuity mail', () => sink.received.find((r) => addresses(r.mail.to).includes(email)), 15_000);
    return { id, mail: got.mail };
  }

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Acme Support <help@acme.test>' }, mail: MAIL_TIMING });
    tenant = await server.createTenant();
    other = await server.createTenant();
    agent = await server.member(tenant, `ext-${randomUUID()}`, { role: 'agent', name: 'Ana' });
    const admin = await server.member(tenant, `ext-${randomUUID()}`, { role: 'admin' });
    const otherAdmin = await server.member(other, `ext-${randomUUID()}`, { role: 'admin' });
    secret = (await api<InboundSecretDto>(server, admin, 'POST', '/v1/support/mail-settings/inbound-secret')).body;
    otherSecret = (await api<InboundSecretDto>(server, otherAdmin, 'POST', '/v1/support/mail-settings/inbound-secret')).body;
    vera = await visitor(tenant, 'vera@example.test');
    ({ id: roomId, mail: original } = await conversationWithMail(tenant, vera, 'vera@example.test'));
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it("adds the reply as the visitor's message, without history or signature, with its attachment, once", async () => {
    const raw = await compose(
      replyTo(original, 'Vera <Vera@Example.TEST>', {
        attachments: [
          { filename: 'size-chart.png', content: PNG, contentType: 'image/png' },
          { filename: 'evil.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
        ],
      }),
    );
    const first = await post(raw);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ conversationId: roomId, created: true });

    const added = (await messages()).find((m) => m.id === first.body.messageId)!;
    expect(added.senderId).toBe(vera.user.id);
    expect(added.text).toBe('Size M, please.\nThanks!');
    expect(added.attachments.map((a) => [a.name, a.type])).toEqual([['size-chart.png', 'image/png']]);

    const again = await post(raw);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ conversationId: roomId, messageId: first.body.messageId, created: false });
    expect((await messages()).filter((m) => m.text === 'Size M, please.\nThanks!')).toHaveLength(1);
  });

  it('takes the text of an HTML-only reply', async () => {
    const raw = await compose({
      ...replyTo(original, 'vera@example.test'),
      text: undefined,
      html:
        '<div>Actually <b>L</b>.</div>' +
        '<div class="gmail_quote">On Wed, 2 Dec 2026, Acme wrote:<blockquote>S, M and L.</blockquote></div>',
      attachments: [{ filename: 'note.txt', content: 'see' }],
    });
    const res = await post(raw);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await messages()).find((m) => m.id === res.body.messageId)?.text).toBe('Actually L.');
  });

  it('refuses a forged token, another visitor, and another app', async () => {
    const forged = (addresses(original.replyTo)[0] ?? '').replace(/\+[a-z2-7]+@/, `+${'a'.repeat(32)}@`);
    expectError(await post(await compose({ ...replyTo(original, 'vera@example.test'), to: forged })), 404, 'not_found');
    expectError(await post(await compose({ ...replyTo(original, 'vera@example.test'), to: 'help@acme.test' })), 404, 'not_found');

    // Bob has a conversation (and a reply address) of his own, and writes with Vera's.
    const bob = await visitor(tenant, 'bob@example.test');
    const bobs = await conversationWithMail(tenant, bob, 'bob@example.test');
    expect(addresses(bobs.mail.replyTo)).not.toEqual(addresses(original.replyTo));
    expectError(await post(await compose(replyTo(original, 'bob@example.test'))), 403, 'forbidden');
    // Vera's token with another app's credentials: as if it did not exist.
    expectError(await post(await compose(replyTo(original, 'vera@example.test')), otherSecret), 404, 'not_found');
    expect((await messages()).some((m) => m.text.startsWith('Size M') && m.senderId === bob.user.id)).toBe(false);
  });

  it('answers 401 without or with wrong credentials, 415 to another content type', async () => {
    const raw = await compose(replyTo(original, 'vera@example.test'));
    // None, a wrong secret, another app's secret, and an app that has none set.
    const unset = { ...secret, username: (await server.createTenant()).id, secret: '' };
    for (const credentials of [null, { ...secret, secret: 'ib_wrong' }, { ...otherSecret, username: tenant.id }, unset]) {
      const res = await post(raw, credentials);
      expectError(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="confab-inbound"');
    }
    expectError(await post(raw, secret, 'text/plain'), 415, 'unsupported_media_type');
  });

  it('refuses automatic replies, mails with nothing of their own, and mails over 35 MB', async () => {
    const before = (await messages()).length;
    const automatic = [{ 'Auto-Submitted': 'auto-replied' }, { Precedence: 'auto_reply' }, { 'X-Autoreply': 'yes' }];
    for (const headers of automatic) {
      const res = await post(await compose({ ...replyTo(original, 'vera@example.test'), text: 'I am out of office', headers }));
      expectError(res, 422, 'validation_failed');
    }
    const empty = await compose({ ...replyTo(original, 'vera@example.test'), text: `\n\nOn Wed, Acme wrote:\n> S, M and L.\n` });
    expectError(await post(empty), 422, 'validation_failed');
    expectError(await post(Buffer.alloc(35 * 1024 * 1024 + 1, 'a')), 413, 'payload_too_large');
    expect((await messages()).length).toBe(before);
  });
});
