import type { MessageDto, PageDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import {
  createAgent,
  type HostPage,
  launchBrowser,
  openHostPage,
  startTestServer,
  storedSession,
  storedVisit,
  type TestServer,
} from './helpers/browser.js';

// Access tokens live 12 s here (the least the server takes is 10): the SDK renews them every 8 s
// (two thirds of their life), so 16 s outlive the token a tab had and see two renewals.
const ACCESS_TTL_SECONDS = 12;
const RENEWALS_MS = ACCESS_TTL_SECONDS * 1000 + 4_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A page of the context that records every 401 the chat server answered it. */
async function openTab(context: BrowserContext, server: TestServer, body: string): Promise<HostPage & { unauthorized: string[] }> {
  const page = await openHostPage(context, server, { body });
  const unauthorized: string[] = [];
  if (process.env.TABS_DEBUG) {
    const label = Math.random().toString(36).slice(2, 6);
    page.on('console', (m) => console.log(`[${label}] ${m.type()}: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && console.log(`[${label}] ${r.status()} ${r.request().method()} ${r.url()}`));
  }
  page.on('response', (res) => {
    if (res.status() === 401) unauthorized.push(`${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return Object.assign(page, { unauthorized });
}

const mine = (page: Page) => page.locator('chat-widget').locator('[part~=message][part~=mine]');
const theirs = (page: Page) => page.locator('chat-widget').locator('[part~=message][part~=theirs]');

async function send(page: Page, text: string): Promise<void> {
  const input = page.locator('chat-widget').locator('textarea[part=input]');
  await input.fill(text);
  await input.press('Enter');
}

/** Whether this tab's chat client talks to the server for the browser (reads the element's internals). */
function primary(page: Page, selector = 'chat-widget'): Promise<boolean | null> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as unknown as { session?: { client: { primaryTab: boolean } }; renderRoot?: ShadowRoot } | null;
    if (sel === 'chat-widget') return el?.session?.client.primaryTab ?? null;
    const app = el?.renderRoot?.querySelector('confab-inbox-app') as unknown as { client?: { primaryTab: boolean } } | null;
    return app?.client?.primaryTab ?? null;
  }, selector);
}

describe('tabs of one browser share one chat session', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ env: { ACCESS_TTL: String(ACCESS_TTL_SECONDS) } });
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'tess', 'tabs-agent-password-9', 'Tess Agent');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function agentSays(conversationId: string, text: string): Promise<void> {
    const agent = await server.member(tenant, 'tabs-replier', { role: 'agent', name: 'Rita Replier' });
    const res = await server.request('POST', `/v1/rooms/${conversationId}/messages`, {
      token: agent.accessToken,
      body: { text, clientId: `reply-${Math.random().toString(36).slice(2)}` },
    });
    expect(res.status).toBe(201);
  }

  /** The visitor's sockets the server holds, over every tab. */
  async function socketsOf(userId: string): Promise<number> {
    const sockets = await server.app.io.local.fetchSockets();
    return sockets.filter((s) => s.data.actor?.id === userId).length;
  }

  async function familiesOf(userId: string): Promise<{ families: number; revoked: number }> {
    const rows = await server.db('refresh_tokens').where({ userId });
    return {
      families: new Set(rows.map((r: { familyId: string }) => r.familyId)).size,
      revoked: rows.filter((r: { revokedAt: Date | null }) => r.revokedAt).length,
    };
  }

  it('keeps two visitor tabs in one session through renewals, a restart and reloads: one socket, no 401, mine on the right', async () => {
    const context = await browser.newContext();
    const body = `<chat-widget app="${tenant.id}"></chat-widget>`;
    const a = await openTab(context, server, body);
    await a.locator('chat-widget button.launcher').click();
    await send(a, 'Hello from tab A');
    await expect.poll(() => mine(a).count()).toBe(1);
    const conversationId = (await storedVisit(a))!.conversationId!;
    const visitorId = (await storedSession(a))!.user.id;

    // The second tab opens on the same visitor and the same conversation.
    const b = await openTab(context, server, body);
    await b.locator('chat-widget button.launcher').click();
    await expect.poll(() => mine(b).allTextContents()).toEqual([expect.stringContaining('Hello from tab A')]);
    await agentSays(conversationId, 'Hi, how can I help?');
    for (const tab of [a, b])
      await expect.poll(() => theirs(tab).allTextContents()).toEqual([expect.stringContaining('Hi, how can I help?')]);
    await expect.poll(() => socketsOf(visitorId)).toBe(1);
    expect([await primary(a), await primary(b)].sort()).toEqual([false, true]);

    // Access tokens expire and are renewed twice over: both tabs go on, renewing once for the browser.
    const before = (await storedSession(a))!.refreshToken;
    await sleep(RENEWALS_MS);
    expect((await storedSession(a))!.refreshToken).not.toBe(before);
    await send(b, 'From tab B after the renewals');
    for (const tab of [a, b]) {
      await expect
        .poll(() => mine(tab).allTextContents())
        .toEqual(expect.arrayContaining([expect.stringContaining('From tab B after the renewals')]));
    }

    // The server restarts mid-conversation.
    await server.restart(500);
    await expect.poll(() => socketsOf(visitorId), { timeout: 15_000 }).toBe(1);
    await send(a, 'After the restart');
    await agentSays(conversationId, 'Still here after the restart');
    for (const tab of [a, b]) {
      await expect
        .poll(() => mine(tab).allTextContents(), { timeout: 15_000 })
        .toEqual(expect.arrayContaining([expect.stringContaining('After the restart')]));
      await expect
        .poll(() => theirs(tab).allTextContents(), { timeout: 15_000 })
        .toEqual(expect.arrayContaining([expect.stringContaining('Still here after the restart')]));
    }

    // Each tab reloads: the same visitor, the same conversation, own messages still theirs.
    for (const tab of [a, b]) {
      await tab.reload();
      await tab.locator('chat-widget button.launcher').click();
      await expect
        .poll(() => mine(tab).allTextContents())
        .toEqual([
          expect.stringContaining('Hello from tab A'),
          expect.stringContaining('From tab B after the renewals'),
          expect.stringContaining('After the restart'),
        ]);
      await expect.poll(() => theirs(tab).count()).toBe(2);
      expect(await tab.locator('chat-widget').locator('[part=prechat]').count()).toBe(0);
    }
    expect((await storedSession(a))!.user.id).toBe(visitorId);
    expect(await familiesOf(visitorId)).toEqual({ families: 1, revoked: 0 });
    expect([...a.unauthorized, ...b.unauthorized]).toEqual([]);
    expect([...a.problems, ...b.problems]).toEqual([]);
    await context.close();
  });

  it('hands the connection to another tab when the tab holding it closes, and that tab misses nothing', async () => {
    const context = await browser.newContext();
    const body = `<chat-widget app="${tenant.id}" mode="inline"></chat-widget>`;
    const a = await openTab(context, server, body);
    await send(a, 'Leader question');
    await expect.poll(() => mine(a).count()).toBe(1);
    const conversationId = (await storedVisit(a))!.conversationId!;
    const visitorId = (await storedSession(a))!.user.id;
    const b = await openTab(context, server, body);
    await expect.poll(() => mine(b).count()).toBe(1);
    const [leader, follower] = (await primary(a)) ? [a, b] : [b, a];
    expect(await primary(follower)).toBe(false);

    await leader.close();
    await agentSays(conversationId, 'Answer after the leader left');
    await expect
      .poll(() => theirs(follower).allTextContents(), { timeout: 15_000 })
      .toEqual([expect.stringContaining('Answer after the leader left')]);
    expect(await primary(follower)).toBe(true);
    await expect.poll(() => socketsOf(visitorId), { timeout: 15_000 }).toBe(1);
    await send(follower, 'Sent by the new leader');
    await expect
      .poll(async () =>
        (
          await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${conversationId}/messages`, {
            token: (await server.member(tenant, 'tabs-replier', { role: 'agent', name: 'Rita Replier' })).accessToken,
          })
        ).body.items.map((m) => m.text),
      )
      .toContain('Sent by the new leader');
    expect(follower.unauthorized).toEqual([]);
    await context.close();
  });

  it('chimes once per browser for a reply, none while a tab shows the conversation, and keeps one unread count for all tabs', async () => {
    const context = await browser.newContext();
    // Counts chimes: the widget's Notifier makes one gain node per chime.
    await context.addInitScript(() => {
      const w = window as unknown as { __chimes: number };
      w.__chimes = 0;
      const original = AudioContext.prototype.createGain;
      AudioContext.prototype.createGain = function (this: AudioContext) {
        w.__chimes += 1;
        return original.call(this);
      };
    });
    const body = `<chat-widget app="${tenant.id}"></chat-widget>`;
    const a = await openTab(context, server, body);
    await a.locator('chat-widget button.launcher').click();
    await send(a, 'Ring me when you answer');
    await expect.poll(() => mine(a).count()).toBe(1);
    const conversationId = (await storedVisit(a))!.conversationId!;
    await a.locator('chat-widget button.launcher').click(); // closed again
    const b = await openTab(context, server, body);
    const chimes = async () =>
      (await a.evaluate(() => (window as unknown as { __chimes: number }).__chimes)) +
      (await b.evaluate(() => (window as unknown as { __chimes: number }).__chimes));
    await expect.poll(() => b.locator('chat-widget').locator('[part=launcher]').count()).toBe(1);
    await sleep(1_000); // b has resumed the stored visit

    await agentSays(conversationId, 'First answer');
    for (const tab of [a, b])
      await expect.poll(() => tab.locator('chat-widget').locator('[part=badge]').textContent({ timeout: 1_000 })).toBe('1');
    await sleep(500);
    expect(await chimes()).toBe(1);

    // Someone reads it in tab b: no chime for the next reply, and tab a's badge clears too.
    await b.locator('chat-widget button.launcher').click();
    await expect.poll(() => theirs(b).count()).toBe(1);
    await expect.poll(() => a.locator('chat-widget').locator('[part=badge]').count()).toBe(0);
    await agentSays(conversationId, 'Second answer');
    await expect.poll(() => theirs(b).count()).toBe(2);
    await sleep(500);
    expect(await chimes()).toBe(1);
    await context.close();
  });

  it('signs every tab out when one signs out, and the other tab says so and offers a new conversation', async () => {
    const context = await browser.newContext();
    const body = `<chat-widget app="${tenant.id}" mode="inline"></chat-widget>`;
    const a = await openTab(context, server, body);
    await send(a, 'About to sign out');
    await expect.poll(() => mine(a).count()).toBe(1);
    const b = await openTab(context, server, body);
    await expect.poll(() => mine(b).count()).toBe(1);

    await a.evaluate(() => document.querySelector('chat-widget')!.logout());
    const notice = b.locator('chat-widget').locator('.ended');
    await expect.poll(() => notice.textContent({ timeout: 1000 })).toContain('You signed out of the chat in another tab.');
    expect(await storedSession(b)).toBeNull();
    await notice.getByRole('button', { name: 'Start a new conversation' }).click();
    await expect.poll(() => b.locator('chat-widget').locator('textarea[part=input]').count()).toBe(1);
    expect(await mine(b).count()).toBe(0);
    await context.close();
  });

  it('tells both tabs in words when the session is revoked (replayed refresh token) instead of silently dropping it', async () => {
    const context = await browser.newContext();
    const body = `<chat-widget app="${tenant.id}" mode="inline"></chat-widget>`;
    const a = await openTab(context, server, body);
    await send(a, 'Before the theft');
    await expect.poll(() => mine(a).count()).toBe(1);
    const b = await openTab(context, server, body);
    await expect.poll(() => mine(b).count()).toBe(1);

    // Someone else got hold of the refresh token and used it twice: the server revokes the session.
    const stolen = (await storedSession(a))!.refreshToken;
    expect(
      (await server.request('POST', '/v1/auth/refresh', { body: { refreshToken: stolen }, headers: { 'user-agent': 'thief/1.0' } })).status,
    ).toBe(200);
    expect(
      (await server.request('POST', '/v1/auth/refresh', { body: { refreshToken: stolen }, headers: { 'user-agent': 'accomplice/2.0' } }))
        .status,
    ).toBe(401);

    for (const tab of [a, b]) {
      await expect
        .poll(() => tab.locator('chat-widget').locator('.ended').textContent({ timeout: 1_000 }), { timeout: 20_000 })
        .toContain('This chat session has ended.');
    }
    await a.locator('chat-widget').getByRole('button', { name: 'Start a new conversation' }).click();
    await send(a, 'A fresh start');
    await expect.poll(() => mine(a).allTextContents()).toEqual([expect.stringContaining('A fresh start')]);
    await context.close();
  });

  it('keeps two inbox tabs of an agent signed in through renewals, a restart and reloads, and signs both out together', async () => {
    const context = await browser.newContext();
    const body = `<chat-inbox app="${tenant.id}"></chat-inbox>`;
    const one = await openTab(context, server, body);
    const inboxOne = one.locator('chat-inbox');
    await inboxOne.locator('input[name=username]').fill('tess');
    await inboxOne.locator('input[name=password]').fill('tabs-agent-password-9');
    await inboxOne.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inboxOne.getByRole('tab').count()).toBe(4);
    const two = await openTab(context, server, body);
    const inboxTwo = two.locator('chat-inbox');
    await expect.poll(() => inboxTwo.getByRole('tab').count()).toBe(4);
    expect([await primary(one, 'chat-inbox'), await primary(two, 'chat-inbox')].sort()).toEqual([false, true]);

    await sleep(RENEWALS_MS);
    await server.restart(500);
    // A visitor writes while the agent's tabs reconnect: the new conversation shows up live in both.
    const visitor = await server.guest(tenant, 'Late Visitor');
    await sleep(1_500);
    expect(
      (
        await server.request('POST', '/v1/support/conversations', {
          token: visitor.accessToken,
          body: { text: 'Anyone there?', clientId: 'late-visitor-1' },
        })
      ).status,
    ).toBe(201);
    for (const inbox of [inboxOne, inboxTwo]) {
      await expect
        .poll(() => inbox.locator('button.item').allTextContents(), { timeout: 15_000 })
        .toEqual(expect.arrayContaining([expect.stringContaining('Late Visitor')]));
    }
    for (const tab of [one, two]) {
      await tab.reload();
      await expect.poll(() => tab.locator('chat-inbox').getByRole('tab').count()).toBe(4);
    }
    expect([...one.unauthorized, ...two.unauthorized]).toEqual([]);

    await inboxOne.locator('.toolbar button.link').click();
    await expect.poll(() => inboxTwo.locator('.notice').textContent({ timeout: 1_000 })).toContain('You signed out in another tab.');
    expect(await inboxTwo.locator('input[name=username]').count()).toBe(1);
    await context.close();
  });

  it('closes an inbox session with <chat-inbox>.logout()', async () => {
    const context = await browser.newContext();
    const page = await openTab(context, server, `<chat-inbox app="${tenant.id}"></chat-inbox>`);
    const inbox = page.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('tess');
    await inbox.locator('input[name=password]').fill('tabs-agent-password-9');
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    const token = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('confab:inbox:') && k.endsWith(':session'))!;
      return JSON.parse(localStorage.getItem(key)!).session.accessToken as string;
    });
    await page.evaluate(() => (document.querySelector('chat-inbox') as unknown as { logout(): Promise<void> }).logout());
    await expect.poll(() => inbox.locator('input[name=username]').count()).toBe(1);
    expect((await server.request('GET', '/v1/me', { token })).status).toBe(401);
    await page.reload();
    await expect.poll(() => inbox.locator('input[name=username]').count()).toBe(1);
    await context.close();
  });
});

describe('visitors signed in by the host page (user-token)', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  const hostToken = (sub: string, name: string) =>
    jwt.sign({ name }, tenant.secret, { algorithm: 'HS256', subject: sub, audience: tenant.id, expiresIn: '1h' });

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("brings the visitor's guest conversation along when a page renders user-token, and reuses that session on later loads", async () => {
    const context = await browser.newContext();
    const guestPage = await openTab(context, server, `<chat-widget app="${tenant.id}" mode="inline"></chat-widget>`);
    await send(guestPage, 'Asked before signing in');
    await expect.poll(() => mine(guestPage).count()).toBe(1);
    const guestId = (await storedSession(guestPage))!.user.id;
    await guestPage.close();

    // The visitor signs in on the shop; its pages now carry a token for them.
    const token = hostToken('shopper-9', 'Sam Shopper');
    const body = `<chat-widget app="${tenant.id}" mode="inline" user-token="${token}"></chat-widget>`;
    const page = await openTab(context, server, body);
    await expect.poll(() => mine(page).allTextContents()).toEqual([expect.stringContaining('Asked before signing in')]);
    const member = (await storedSession(page))!.user;
    expect(member).toMatchObject({ kind: 'member', externalId: 'shopper-9' });
    expect(member.id).not.toBe(guestId);
    expect(await server.db('messages').where({ senderId: guestId }).count('* as n')).toEqual([{ n: 0 }]);

    const families = async () =>
      new Set(
        (await server.db('refresh_tokens').where({ userId: member.id }).whereNull('revoked_at')).map(
          (r: { familyId: string }) => r.familyId,
        ),
      ).size;
    expect(await families()).toBe(1);
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await expect.poll(() => mine(page).count()).toBe(1);
    }
    expect(await families()).toBe(1);
    expect((await storedSession(page))!.user.id).toBe(member.id);
    expect(page.unauthorized).toEqual([]);
    await context.close();
  });

  it('signs a host user back in by itself when their session is revoked: the same conversation, no notice', async () => {
    const context = await browser.newContext();
    const token = hostToken('shopper-10', 'Rui Returning');
    const page = await openTab(context, server, `<chat-widget app="${tenant.id}" mode="inline" user-token="${token}"></chat-widget>`);
    await send(page, 'My order is late');
    await expect.poll(() => mine(page).count()).toBe(1);
    const before = (await storedSession(page))!;

    // The session is revoked (a leaked refresh token replayed from elsewhere).
    expect(
      (
        await server.request('POST', '/v1/auth/refresh', {
          body: { refreshToken: before.refreshToken },
          headers: { 'user-agent': 'thief/1.0' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await server.request('POST', '/v1/auth/refresh', {
          body: { refreshToken: before.refreshToken },
          headers: { 'user-agent': 'accomplice/2.0' },
        })
      ).status,
    ).toBe(401);

    // The page's host token proves who they are: a new session for the same user, and they go on.
    await expect.poll(async () => (await storedSession(page))?.refreshToken, { timeout: 20_000 }).not.toBe(before.refreshToken);
    expect((await storedSession(page))!.user.id).toBe(before.user.id);
    await send(page, 'Still me');
    await expect
      .poll(() => mine(page).allTextContents())
      .toEqual([expect.stringContaining('My order is late'), expect.stringContaining('Still me')]);
    expect(await page.locator('chat-widget').locator('.ended').count()).toBe(0);
    await context.close();
  });
});
