import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, StartConversationResult } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { UnsubscribeLinks } from '../src/services/mail/addresses.js';
import { expectStatus, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { type Received, smtpSink, unsubscribeHeader } from './helpers/smtp.js';
import { sleep, until } from './helpers/wait.js';

const MAIL = { pollMs: 50, scheduleMs: 50, minuteMs: 100, retryBaseMs: 300, leaseMs: 10_000 };
const PUBLIC_URL = 'https://chat.example.test';
// Generous: a busy machine slows the embedded database; a pass never waits this long.
const WAIT_MS = 15_000;
const HOSTILE_APP = '<script>alert("app")</script> & Co';

const toOf = (r: Received) => (r.mail.to && !Array.isArray(r.mail.to) ? (r.mail.to.value[0]?.address ?? '') : '');

describe('unsubscribing from mail', () => {
  let server: TestServer;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  let app: App;

  beforeAll(async () => {
    sink = await smtpSink();
    // PUBLIC_URL names where links lead; the test sends them to the server's real address instead.
    server = await startTestServer({ env: { SMTP_URL: sink.url, PUBLIC_URL }, mail: MAIL });
    app = await server.app.services.apps.create({ name: HOSTILE_APP, origins: ['http://localhost:*'] });
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  const local = (link: string) => link.replace(PUBLIC_URL, '');
  const page = (path: string, method = 'GET', headers: Record<string, string> = {}, raw?: string) =>
    server.request<string>(method, path, { headers, ...(raw === undefined ? {} : { raw }) });
  const unsubscribed = async (address: string) => server.db('mail_unsubscribes').where({ appId: app.id, address });

  async function waitingConversation(text: string): Promise<string> {
    const guest = await server.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: app.id, body: { name: 'Vera' } });
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: guest.body.accessToken,
      body: { text, clientId: randomUUID() },
    });
    expectStatus(res, 201);
    return res.body.id;
  }

  it("follows a notification's List-Unsubscribe link: GET asks, the one-click POST unsubscribes, no notification follows", async () => {
    for (const email of ['uma@acme.test', 'vic@acme.test']) await server.member(app, `ext-${randomUUID()}`, { role: 'agent', email });
    const first = await waitingConversation('First');
    const mail = await until('the notification to uma', () => sink.received.find((r) => toOf(r) === 'uma@acme.test'), WAIT_MS);
    expect(mail.mail.text).toContain(first);
    const link = /^<(https:\/\/chat\.example\.test\/v1\/mail\/unsubscribe\?t=[^>]+)>/.exec(unsubscribeHeader(mail.mail) ?? '')?.[1];
    expect(link).toBeDefined();
    expect(mail.mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );

    const asked = await page(local(link!), 'GET', { 'accept-language': 'en-US,en;q=0.9' });
    expectStatus(asked, 200);
    expect(asked.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = asked.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(asked.body).toContain(`<form method="post" action="${local(link!).replace('/v1/mail/', '')}">`);
    expect(asked.body).toContain('uma@acme.test');
    expect(asked.body).toContain('&lt;script&gt;alert(&quot;app&quot;)&lt;/script&gt; &amp; Co');
    expect(asked.body).not.toContain('<script');
    // Asking changes nothing: mail scanners follow links.
    expect(await unsubscribed('uma@acme.test')).toHaveLength(0);

    const oneClick = { 'content-type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 2; i++) {
      const done = await page(local(link!), 'POST', oneClick, 'List-Unsubscribe=One-Click');
      expectStatus(done, 200);
      expect(done.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(done.body).toContain('You are unsubscribed');
    }
    expect(await unsubscribed('uma@acme.test')).toHaveLength(1);

    // Vic was mailed about the first too; the next reaches him after his window, and never Uma.
    const umaBefore = sink.received.filter((r) => toOf(r) === 'uma@acme.test').length;
    const second = await waitingConversation('Second');
    await until(
      'the notification to vic',
      () => sink.received.find((r) => toOf(r) === 'vic@acme.test' && r.mail.text?.includes(second)),
      WAIT_MS,
    );
    await sleep(300);
    expect(sink.received.filter((r) => toOf(r) === 'uma@acme.test')).toHaveLength(umaBefore);
  });

  it("answers the page's own form post (Origin of PUBLIC_URL) and speaks pt-BR and es", async () => {
    const links = server.app.services.unsubscribe.links;
    const path = local(links.url(app.id, 'wes@acme.test')!);
    const pt = await page(path, 'GET', { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' });
    expect(pt.body).toContain('<html lang="pt-BR">');
    expect(pt.body).toContain('Cancelar inscrição');
    expect(pt.headers.get('content-language')).toBe('pt-BR');
    const es = await page(path, 'GET', { 'accept-language': 'fr;q=0.9, es-MX;q=0.8' });
    expect(es.body).toContain('Darse de baja');
    expect((await page(path, 'GET', { 'accept-language': 'de' })).body).toContain('Stop emails from');
    // The page's Referrer-Policy makes browsers send its own origin with the form, which the origin guard lets through.
    expect(pt.headers.get('referrer-policy')).toBe('same-origin');
    const posted = await page(
      path,
      'POST',
      { origin: PUBLIC_URL, 'accept-language': 'es', 'content-type': 'application/x-www-form-urlencoded' },
      '',
    );
    expectStatus(posted, 200);
    expect(posted.body).toContain('Te has dado de baja');
    expect(await unsubscribed('wes@acme.test')).toHaveLength(1);
  });

  it('refuses forged and altered tokens with 403, recording nothing', async () => {
    const links = server.app.services.unsubscribe.links;
    const good = links.token(app.id, 'xena@acme.test');
    const [payload, sig] = good.split('.') as [string, string];
    const otherPayload = Buffer.from(`${app.id}\nboss@acme.test`).toString('base64url');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const bad = [
      `${otherPayload}.${sig}`,
      `${payload}.${flip(sig)}`,
      `${flip(payload)}.${sig}`,
      new UnsubscribeLinks('another-secret-entirely-0123456789', PUBLIC_URL).token(app.id, 'xena@acme.test'),
      payload,
      `${good}.x`,
      'not a token',
    ];
    for (const token of bad) {
      for (const method of ['GET', 'POST']) {
        const res = await page(`/v1/mail/unsubscribe?t=${encodeURIComponent(token)}`, method);
        expect({ status: res.status, code: replyError(res.body)?.code }, `${method} ${token}`).toEqual({ status: 403, code: 'forbidden' });
      }
    }
    const missing = await page('/v1/mail/unsubscribe');
    expect({ status: missing.status, code: replyError(missing.body)?.code }).toEqual({ status: 422, code: 'validation_failed' });
    expect(
      await server.db('mail_unsubscribes').where({ appId: app.id }).whereIn('address', ['xena@acme.test', 'boss@acme.test']),
    ).toHaveLength(0);
  });

  it('escapes a hostile address on both pages', async () => {
    const address = '"><img src=x onerror=alert(1)>@acme.test';
    const path = local(server.app.services.unsubscribe.links.url(app.id, address)!);
    for (const method of ['GET', 'POST']) {
      const res = await page(path, method);
      expectStatus(res, 200);
      expect(res.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@acme.test');
      expect(res.body).not.toContain('<img');
    }
    expect(await unsubscribed(address)).toHaveLength(1);
  });
});
