import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, MailDto, PageDto, StartConversationResult } from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';
import { type Received, smtpSink, unsubscribeHeader } from './helpers/smtp.js';
import { sleep, until } from './helpers/wait.js';

// A settings' minute is 100 ms: notifications after 500 ms of waiting, at most one a second per agent.
const MAIL = { pollMs: 50, scheduleMs: 50, minuteMs: 100, retryBaseMs: 300, leaseMs: 10_000 };
const PUBLIC_URL = 'https://chat.example.test';
// Generous: a busy machine slows the embedded database; a pass never waits this long.
const WAIT_MS = 15_000;
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

type Sink = Awaited<ReturnType<typeof smtpSink>>;
const toOf = (r: Received) => (r.mail.to && !Array.isArray(r.mail.to) ? (r.mail.to.value[0]?.address ?? '') : '');
const notifications = (sink: Sink, to: string) =>
  sink.received.filter(
    (r) => toOf(r) === to && /waiting/.test(r.mail.subject ?? '') && r.mail.messageId?.startsWith('<agent_notification.'),
  );
/** How many conversations a notification covers: one, or the digest's count. */
const countOf = (r: Received) => Number(/^(\d+) conversations are waiting$/.exec(r.mail.subject ?? '')?.[1] ?? 1);
const listed = (r: Received) => [...(r.mail.text ?? '').matchAll(/\(conversation ([0-9a-f-]{36})\)/g)].map((m) => m[1]!);

async function visitor(on: TestServer, app: App, name = 'Vera'): Promise<AuthSessionDto> {
  const res = await on.request<AuthSessionDto>('POST', '/v1/auth/guest', { app: app.id, body: { name } });
  expectStatus(res, 201);
  return res.body;
}

async function conversation(on: TestServer, who: AuthSessionDto, text: string): Promise<string> {
  const res = await on.request<StartConversationResult>('POST', '/v1/support/conversations', {
    token: who.accessToken,
    body: { text, clientId: randomUUID() },
  });
  expectStatus(res, 201);
  return res.body.id;
}

async function say(on: TestServer, who: AuthSessionDto, roomId: string, text: string): Promise<void> {
  const res = await on.request('POST', `/v1/rooms/${roomId}/messages`, { token: who.accessToken, body: { text, clientId: randomUUID() } });
  expectStatus(res, 201);
}

describe('agent notifications over SMTP', () => {
  let server: TestServer;
  let sink: Sink;

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Acme <help@acme.test>', PUBLIC_URL }, mail: MAIL });
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  /** A tenant with staff: `emails` are agents (the first an admin); one more agent has no email. */
  async function team(emails: string[], settings?: Record<string, unknown>) {
    const app = await server.createTenant();
    const staff = [];
    for (const [i, email] of emails.entries()) {
      staff.push(await server.member(app, `ext-${randomUUID()}`, { role: i === 0 ? 'admin' : 'agent', name: `Staff ${i}`, email }));
    }
    await server.member(app, `ext-${randomUUID()}`, { role: 'agent', name: 'No Mail' });
    if (settings)
      expectStatus(await server.request('PUT', '/v1/support/mail-settings', { token: staff[0]!.accessToken, body: settings }), 200);
    return { app, staff };
  }
  // Where the test acts before the delay ends (answers, assigns), a longer one: a busy machine is slow to act.
  const SLOWER = { notifyAfterMinutes: 20 };

  it('mails each agent with an email once, after the delay and not before', async () => {
    const emails = ['ann@acme.test', 'ben@acme.test', 'cid@acme.test'];
    const { app, staff } = await team(emails);
    expectStatus(
      await server.request('PUT', '/v1/support/mail-settings', {
        token: staff[0]!.accessToken,
        body: { inboxUrl: 'https://inbox.acme.test/app' },
      }),
      200,
    );
    const startedAt = Date.now();
    const roomId = await conversation(server, await visitor(server, app, 'Vera <Vip>'), 'My parcel is <late>');
    await sleep(300);
    expect(emails.flatMap((to) => notifications(sink, to))).toHaveLength(0);
    const got = await until(
      'every agent mailed',
      () => {
        const each = emails.map((to) => notifications(sink, to));
        return each.every((m) => m.length > 0) && each.map((m) => m[0]!);
      },
      WAIT_MS,
    );
    await sleep(800);
    for (const to of emails) expect(notifications(sink, to)).toHaveLength(1);
    for (const { at, mail } of got) {
      expect(at - startedAt).toBeGreaterThanOrEqual(500);
      expect(mail.subject).toBe('New conversation waiting: Vera <Vip>');
      expect(mail.text).toContain(`(conversation ${roomId})`);
      expect(mail.text).toContain('> My parcel is <late>');
      expect(mail.text).toContain(`https://inbox.acme.test/app#conversation=${roomId}`);
      expect(String(mail.html)).toContain('My parcel is &lt;late&gt;');
      expect(String(mail.html)).toContain('Vera &lt;Vip&gt;');
      expect(unsubscribeHeader(mail)).toMatch(
        /^<https:\/\/chat\.example\.test\/v1\/mail\/unsubscribe\?t=[\w-]+\.[\w-]+>,\s*<mailto:help@acme\.test/,
      );
      expect(mail.text).toMatch(/Stop these emails: https:\/\/chat\.example\.test\/v1\/mail\/unsubscribe\?t=/);
    }
    // Single-conversation mails belong to the conversation's mails.
    const listedMails = await server.request<PageDto<MailDto>>('GET', `/v1/support/conversations/${roomId}/mails`, {
      token: staff[1]!.accessToken,
    });
    expect(listedMails.body.items.map((m) => `${m.kind}:${m.to}`).sort()).toEqual(emails.map((e) => `agent_notification:${e}`).sort());
  });

  it('mails nobody while an agent is online, and mails once the last one leaves', async () => {
    const { app, staff } = await team(['dee@acme.test']);
    const client = createClient({ url: server.url, app: app.id, transports: ['websocket'] });
    await client.connectSession(staff[0]!);
    const roomId = await conversation(server, await visitor(server, app), 'Anyone there?');
    await sleep(1_200);
    expect(notifications(sink, 'dee@acme.test')).toHaveLength(0);
    client.close();
    const got = await until('the mail after the agent left', () => notifications(sink, 'dee@acme.test')[0], WAIT_MS);
    expect(listed(got)).toEqual([roomId]);
  });

  it('mails nobody about a conversation answered in time, and again about the next unanswered message', async () => {
    const { app, staff } = await team(['eve@acme.test'], SLOWER);
    const guest = await visitor(server, app);
    const roomId = await conversation(server, guest, 'First question');
    await say(server, staff[0]!, roomId, 'Answered quickly');
    await sleep(2_500);
    expect(notifications(sink, 'eve@acme.test')).toHaveLength(0);
    await say(server, guest, roomId, 'A follow-up nobody answers');
    await say(server, guest, roomId, 'Hello?');
    const got = await until('the mail about the follow-up', () => notifications(sink, 'eve@acme.test')[0], WAIT_MS);
    expect(got.mail.text).toContain('> A follow-up nobody answers');
    expect(got.mail.text).not.toContain('First question');
    await sleep(600);
    expect(notifications(sink, 'eve@acme.test')).toHaveLength(1);
  });

  it('mails only the assignee of an assigned conversation', async () => {
    const { app, staff } = await team(['fay@acme.test', 'gus@acme.test'], SLOWER);
    const roomId = await conversation(server, await visitor(server, app), 'For Gus');
    const gus = staff[1]!;
    expectStatus(
      await server.request('POST', `/v1/support/conversations/${roomId}/assign`, {
        token: staff[0]!.accessToken,
        body: { agentId: gus.user.id },
      }),
      200,
    );
    await until('the assignee mailed', () => notifications(sink, 'gus@acme.test')[0], WAIT_MS);
    await sleep(600);
    expect(notifications(sink, 'gus@acme.test')).toHaveLength(1);
    expect(notifications(sink, 'fay@acme.test')).toHaveLength(0);
  });

  it('mails no agent who unsubscribed', async () => {
    const { app } = await team(['hal@acme.test', 'Ivy@Acme.test']);
    const token = server.app.services.unsubscribe.links.token(app.id, 'ivy@acme.test');
    expectStatus(await server.request('POST', `/v1/mail/unsubscribe?t=${token}`), 200);
    const roomId = await conversation(server, await visitor(server, app), 'Hello team');
    const got = await until('the subscribed agent mailed', () => notifications(sink, 'hal@acme.test')[0], WAIT_MS);
    expect(listed(got)).toEqual([roomId]);
    await sleep(600);
    expect(notifications(sink, 'ivy@acme.test')).toHaveLength(0);
  });
});

/** Checks one agent's mails about `rooms`: at most `max`, each room in exactly one; prints what came. */
function expectCovered(sink: Sink, to: string, rooms: string[], max: number): void {
  const mails = notifications(sink, to);
  const seen = mails.flatMap(listed);
  console.log(`${to}: ${mails.length} mails covering ${mails.map(countOf).join(' + ')} conversations, ${seen.length} listed`);
  expect(mails.length).toBeLessThanOrEqual(max);
  expect(mails.reduce((n, m) => n + countOf(m), 0)).toBe(rooms.length);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.every((id) => rooms.includes(id))).toBe(true);
  // A digest lists 25 and counts the rest: what is listed is what it covers, up to 25 each.
  for (const m of mails) expect(listed(m).length).toBe(Math.min(25, countOf(m)));
}

/** The throttle itself: one agent's notifications were queued at least a window (10 settings-minutes) apart. */
async function expectSpaced(on: TestServer, appId: string, to: string, minuteMs: number): Promise<void> {
  const rows: { createdAt: Date }[] = await on
    .db('mail_outbox')
    .where({ appId, to, kind: 'agent_notification' })
    .orderBy('created_at')
    .select('created_at');
  for (let i = 1; i < rows.length; i++) {
    expect(new Date(rows[i]!.createdAt).getTime() - new Date(rows[i - 1]!.createdAt).getTime()).toBeGreaterThanOrEqual(10 * minuteMs);
  }
}

describe('a burst of conversations', () => {
  let server: TestServer;
  let sink: Sink;
  // Two seconds a settings' minute here: a window (20 s) outlasts starting 100 conversations on a busy embedded database.
  const minuteMs = 2_000;

  beforeAll(async () => {
    sink = await smtpSink();
    server = await startTestServer({ env: { SMTP_URL: sink.url, PUBLIC_URL }, mail: { ...MAIL, scheduleMs: 500, minuteMs } });
  });

  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('sends each agent at most two mails for 100 conversations, each conversation in exactly one', async () => {
    const app = await server.createTenant();
    const agents = ['jo@acme.test', 'kim@acme.test'];
    const admin = await server.member(app, `ext-${randomUUID()}`, { role: 'admin', email: agents[0] });
    await server.member(app, `ext-${randomUUID()}`, { role: 'agent', email: agents[1] });
    expectStatus(
      await server.request('PUT', '/v1/support/mail-settings', { token: admin.accessToken, body: { notifyAfterMinutes: 1 } }),
      200,
    );
    const guests = await Promise.all(Array.from({ length: 100 }, (_, i) => visitor(server, app, `Burst ${i}`)));
    const startedAt = Date.now();
    const rooms = await Promise.all(guests.map((g, i) => conversation(server, g, `Burst question ${i}`)));
    const spanMs = Date.now() - startedAt;
    console.log(`100 conversations started in ${spanMs} ms`);
    // What makes two mails enough: the burst is shorter than one window (10 settings-minutes).
    expect(spanMs).toBeLessThan(10 * minuteMs);
    const covered = (to: string) => notifications(sink, to).reduce((n, m) => n + countOf(m), 0);
    await until('every conversation told to every agent', () => agents.every((to) => covered(to) >= 100), 45_000);
    await sleep(1_500);
    for (const to of agents) {
      expectCovered(sink, to, rooms, 2);
      await expectSpaced(server, app.id, to, minuteMs);
    }
    expect(await server.db('mail_agent_waits').whereIn('roomId', rooms)).toHaveLength(100);
  }, 120_000);
});

describe.runIf(clustered)('agent notifications on two nodes', () => {
  let first: TestServer;
  let second: TestServer;
  let sink: Sink;

  beforeAll(async () => {
    sink = await smtpSink();
    const env = { SMTP_URL: sink.url, PUBLIC_URL };
    first = await startTestServer({ env, mail: MAIL });
    second = await startTestServer({ env, mail: MAIL, peer: first });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sink?.close();
  });

  it('tells each agent of each conversation once, a window apart, with no duplicate', async () => {
    const app = await first.createTenant();
    const agents = ['lea@acme.test', 'max@acme.test'];
    for (const email of agents) await first.member(app, `ext-${randomUUID()}`, { role: 'agent', email });
    const start = (i: number) => {
      const node = i % 2 ? second : first;
      return visitor(node, app, `Node ${i}`).then((guest) => conversation(node, guest, `Question ${i}`));
    };
    // Two bursts, the second due while the agents are throttled: both nodes' rounds see every wait.
    const rooms = await Promise.all([0, 1, 2, 3, 4, 5].map(start));
    await sleep(700);
    rooms.push(...(await Promise.all([6, 7, 8, 9, 10, 11].map(start))));
    const covered = (to: string) => notifications(sink, to).reduce((n, m) => n + countOf(m), 0);
    await until('every conversation told to every agent', () => agents.every((to) => covered(to) >= 12), 15_000);
    await sleep(1_500);
    for (const to of agents) {
      expectCovered(sink, to, rooms, Infinity);
      await expectSpaced(first, app.id, to, MAIL.minuteMs);
      const ids = notifications(sink, to).map((m) => m.mail.messageId);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const rows = await first.db('mail_outbox').where({ appId: app.id, kind: 'agent_notification' });
    expect(rows.length).toBe(agents.reduce((n, to) => n + notifications(sink, to).length, 0));
  }, 30_000);
});
