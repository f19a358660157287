import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, PageDto, RoomListItemDto, StartConversationResult, SupportConversationDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { type ClientSocket, connect } from '../../server/test/helpers/sockets.js';
import { axeFindings } from './helpers/axe.js';
import {
  launchBrowser,
  openHostPage,
  recordConsoleErrors,
  screenshot,
  startTestServer,
  storedVisit,
  type TestServer,
  VIEWPORTS,
  violations,
} from './helpers/browser.js';

describe('a visitor with several conversations, the header during an outage, the reply time, and the widget on a phone', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let agent: AuthSessionDto;
  let agentSocket: ClientSocket;

  const hostToken = (sub: string, claims: Record<string, string>) =>
    jwt.sign(claims, tenant.secret, { algorithm: 'HS256', subject: sub, audience: tenant.id, expiresIn: '1h' });

  async function context(viewport: { width: number; height: number } = VIEWPORTS.desktop, timezoneId?: string): Promise<BrowserContext> {
    return browser.newContext({ viewport, timezoneId });
  }

  async function start(visitor: AuthSessionDto, text: string): Promise<string> {
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text, clientId: randomUUID() },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function agentDoes(method: string, path: string, body: unknown = {}): Promise<void> {
    const res = await server.request(method, path, { token: agent.accessToken, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  }

  const conversation = async (id: string) =>
    (await server.request<SupportConversationDto>('GET', `/v1/support/conversations/${id}`, { token: agent.accessToken })).body;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    agent = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana Agent' });
    // An agent is connected: the team shows as online.
    agentSocket = await connect(server, agent);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    agentSocket?.close();
    await browser?.close();
    await server?.close();
  });

  it('lists a returning visitor’s conversations, open first; writing into a resolved one reopens it; a new one starts', async () => {
    // Alice (signed by the host site) asked about her address (open, answered) and then about a parcel (resolved since).
    const alice = await server.member(tenant, 'alice-1', { name: 'Alice', lastName: 'Liddell' });
    const address = await start(alice, 'Can I change my address?');
    await agentDoes('POST', `/v1/support/conversations/${address}/assign`);
    await agentDoes('POST', `/v1/rooms/${address}/messages`, { text: 'Sure, what is the new one?', clientId: randomUUID() });
    const parcel = await start(alice, 'My parcel is late');
    await agentDoes('POST', `/v1/rooms/${parcel}/messages`, { text: 'It arrives tomorrow.', clientId: randomUUID() });
    await agentDoes('POST', `/v1/support/conversations/${parcel}/resolve`);

    const ctx = await context(VIEWPORTS.desktop, 'America/Sao_Paulo');
    const token = hostToken('alice-1', { name: 'Alice', lastName: 'Liddell' });
    const page = await openHostPage(ctx, server, {
      body: `<main><h1>Shop</h1></main><chat-widget app="${tenant.id}" user-token="${token}"></chat-widget>`,
    });
    const errors = recordConsoleErrors(page);
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();

    // Two conversations: the list, the open one first although the resolved one moved last.
    const rows = widget.locator('[part=conversation]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-id'), el.getAttribute('data-status')]))).toEqual([
      [address, 'open'],
      [parcel, 'resolved'],
    ]);
    const openRow = rows.nth(0);
    expect(await openRow.locator('.name').textContent()).toBe('Ana Agent');
    expect(await openRow.locator('.status').textContent()).toBe('Open');
    expect(await openRow.locator('.excerpt').textContent()).toBe('Sure, what is the new one?');
    await expect.poll(() => openRow.locator('.unread [aria-hidden]').textContent()).toBe('2');
    expect(await openRow.locator('.unread .sr-only').textContent()).toBe('2 unread messages');
    expect(await rows.nth(1).locator('.status').textContent()).toBe('Resolved');
    expect(await rows.nth(1).locator('.excerpt').textContent()).toBe('Conversation resolved');
    expect(await rows.nth(1).locator('.unread [aria-hidden]').textContent()).toBe('2');
    // The host site's user by their full name.
    expect(await widget.locator('.who-am-i').textContent()).toBe('Chatting as Alice Liddell');
    // Focus lands on the first conversation; the arrow keys walk the list.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.tagName))
      .toBe('CONFAB-CONVERSATION-LIST');
    await page.keyboard.press('ArrowDown');
    expect(await rows.nth(1).evaluate((el) => el.matches(':focus'))).toBe(true);
    // The launcher badge counts what is unread in both while closed (the server counts replies and notes alike).
    await page.keyboard.press('Escape');
    await expect.poll(() => widget.locator('[part=badge]').textContent()).toBe('4');
    await widget.locator('button.launcher').click();
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(widget.locator('[part=panel]'), 'visitor-conversations-list-desktop-light');
    expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(widget.locator('[part=panel]'), 'visitor-conversations-list-desktop-dark');
    expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // Open the resolved one: it says how to reopen it, and writing does (the server reopens it).
    await rows.nth(1).click();
    const theirs = widget.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.allTextContents()).toEqual([expect.stringContaining('It arrives tomorrow.')]);
    const note = widget.locator('.banner.note');
    await expect.poll(() => note.textContent()).toBe('This conversation was resolved. Write a message to reopen it.');
    expect((await storedVisit(page))?.conversationId).toBe(parcel);
    await screenshot(widget.locator('[part=panel]'), 'visitor-conversations-resolved-desktop-light');
    expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    const input = widget.locator('textarea[part=input]');
    await input.fill('It arrived broken');
    await input.press('Enter');
    await expect.poll(async () => (await conversation(parcel)).support.status).toBe('open');
    await expect.poll(() => widget.locator('.system').allTextContents()).toContainEqual(expect.stringContaining('Conversation reopened'));
    await expect.poll(() => note.count()).toBe(0);

    // Back to the list (the header's back arrow): both open now, the reopened one first.
    await widget.getByRole('button', { name: 'Back to your conversations' }).click();
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((el) => [el.getAttribute('data-id'), el.getAttribute('data-status')])))
      .toEqual([
        [parcel, 'open'],
        [address, 'open'],
      ]);
    expect(await rows.nth(0).locator('.excerpt').textContent()).toBe('Conversation reopened');
    // Focus returns to the conversation just left.
    expect(await rows.nth(0).evaluate((el) => el.matches(':focus'))).toBe(true);

    // A new conversation: an empty thread whose first message starts it.
    await widget.locator('[part=new-conversation]').click();
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(0);
    await input.fill('One more question');
    await input.press('Enter');
    await expect
      .poll(async () => (await storedVisit(page))?.conversationId)
      .toSatisfy((id) => Boolean(id) && id !== parcel && id !== address);
    const third = (await storedVisit(page))!.conversationId!;
    // The agent sees the visitor's time zone.
    expect((await conversation(third)).support.visitor.timezone).toBe('America/Sao_Paulo');
    const listed = await server.request<PageDto<RoomListItemDto>>('GET', '/v1/rooms', { token: alice.accessToken });
    expect(listed.body.items.filter((r) => r.kind === 'support').map((r) => r.id)).toEqual(
      expect.arrayContaining([third, parcel, address]),
    );
    await widget.getByRole('button', { name: 'Back to your conversations' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute('data-id')).toBe(third);

    // A reload goes back into the conversation the visitor was in, as another tab would.
    await rows.nth(0).click();
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    await page.reload();
    await widget.locator('button.launcher').click();
    await expect
      .poll(() => widget.locator('[part~=message][part~=mine]').allTextContents())
      .toEqual([expect.stringContaining('One more question')]);
    expect(await rows.count()).toBe(0);

    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('says "Reconnecting…" in the header while the server cannot be reached, and who is online again after', async () => {
    const ctx = await context();
    const page = await openHostPage(ctx, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const subtitle = widget.locator('[part=header] p');
    await expect.poll(() => subtitle.textContent()).toBe('1 online');
    const input = widget.locator('textarea[part=input]');
    await input.fill('Hello there');
    await input.press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').getAttribute('data-status')).toBe('sent');
    const visitorId = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith(':session'))!;
      return JSON.parse(localStorage.getItem(key)!).session.user.id as string;
    });

    // The connection drops and cannot come back for a while.
    await page.route('**/socket.io/**', (route) => route.abort());
    server.app.io.in(`user:${visitorId}`).disconnectSockets(true);
    await expect.poll(() => subtitle.textContent()).toBe('Reconnecting…');
    expect(await widget.locator('.banner[role=status]').textContent()).toBe(
      'You are offline. Messages will be sent when the connection is back.',
    );
    expect(await widget.locator('[part=header]').textContent()).not.toContain('online');
    await screenshot(widget.locator('[part=panel]'), 'visitor-header-reconnecting-desktop-light');

    await page.unroute('**/socket.io/**');
    await expect.poll(() => subtitle.textContent(), { timeout: 20_000 }).toBe('1 online');
    await expect.poll(() => widget.locator('.banner[role=status]').count()).toBe(0);
    expect(page.problems).toEqual([]);
    await ctx.close();
  }, 40_000);

  it('shows how fast the team replies and who is online in the header and, once known, beside the launcher', async () => {
    await server.app.services.apps.updateSettings(tenant.id, { replyTime: 'minutes' });
    for (const [lang, reply] of [
      ['en', 'Typically replies in a few minutes'],
      ['pt-BR', 'Costuma responder em poucos minutos'],
      ['es', 'Suele responder en unos minutos'],
    ] as const) {
      const ctx = await context();
      const page = await openHostPage(ctx, server, { body: `<chat-widget app="${tenant.id}" lang="${lang}"></chat-widget>` });
      const widget = page.locator('chat-widget');
      // Before the chat was ever opened nothing is known (the settings load with the chat).
      await widget.locator('button.launcher').waitFor();
      expect(await widget.locator('[part=launcher-note]').count()).toBe(0);
      await widget.locator('button.launcher').click();
      await expect.poll(() => widget.locator('[part=header] .reply-time').textContent()).toBe(reply);
      expect(await widget.locator('[part=header] .faces .avatar').allTextContents()).toEqual(['AA']);
      if (lang === 'en') {
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await screenshot(widget.locator('[part=panel]'), `visitor-header-reply-time-desktop-${scheme}`);
          expect(await axeFindings(page, 'chat-widget')).toEqual([]);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
      // Closed again: the launcher has the reply time and the faces beside it.
      await page.keyboard.press('Escape');
      const launcherNote = widget.locator('[part=launcher-note]');
      await expect.poll(() => launcherNote.textContent()).toContain(reply);
      await launcherNote.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
      expect(await launcherNote.locator('.avatar').count()).toBe(1);
      expect(await widget.locator('button.launcher').getAttribute('aria-describedby')).toBe('launcher-note');
      if (lang === 'en') {
        await screenshot(page, 'visitor-launcher-note-desktop-light');
        expect(await axeFindings(page, 'chat-widget')).toEqual([]);
        // On a phone the note would cover the page: the launcher goes alone.
        await page.setViewportSize(VIEWPORTS.phone);
        await expect.poll(() => launcherNote.isVisible()).toBe(false);
        await page.setViewportSize(VIEWPORTS.desktop);
      }
      expect(page.problems).toEqual([]);
      expect(await violations(page)).toEqual([]);
      await ctx.close();
    }
    await server.app.services.apps.updateSettings(tenant.id, { replyTime: null });
  });

  it('fills a phone screen, keeps the composer above a short visible viewport, and uses 16 px fields', async () => {
    const ctx = await context(VIEWPORTS.phone);
    const page = await openHostPage(ctx, server, {
      body: `<main><h1>Shop</h1></main><chat-widget app="${tenant.id}" require-name require-email></chat-widget>`,
    });
    const errors = recordConsoleErrors(page);
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const panel = widget.locator('[part=panel]');
    await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    const fields = widget.locator('[part=prechat] input');
    await expect.poll(() => fields.count()).toBe(2);
    for (const size of await fields.evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize))))
      expect(size).toBeGreaterThanOrEqual(16);
    await screenshot(page, 'visitor-prechat-phone-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'visitor-prechat-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await fields.nth(0).fill('Pat Phone');
    await fields.nth(1).fill('pat@example.com');
    await widget.locator('[part=prechat] button[type=submit]').click();
    const input = widget.locator('textarea[part=input]');
    await input.fill('Writing from my phone');
    await input.press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').getAttribute('data-status')).toBe('sent');

    const noOverflow = () =>
      page.evaluate(() => {
        const w = document.querySelector('chat-widget')!.shadowRoot!.querySelector('[part=panel]')!;
        return document.documentElement.scrollWidth <= window.innerWidth && w.scrollWidth <= w.clientWidth;
      });
    expect(await noOverflow()).toBe(true);
    const composerInside = async () => {
      const box = (await widget.locator('[part=composer]').boundingBox())!;
      const height = await page.evaluate(() => window.visualViewport!.height);
      return box.y >= 0 && box.y + box.height <= height + 0.5 && box.x >= 0 && box.x + box.width <= 375.5;
    };
    expect(await composerInside()).toBe(true);
    await screenshot(page, 'visitor-thread-phone-light');
    expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'visitor-thread-phone-dark');
    expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // The on-screen keyboard leaves 300 px visible: the panel follows the visual viewport, the composer stays in view.
    await input.focus();
    await page.setViewportSize({ width: 375, height: 300 });
    await expect
      .poll(() => panel.evaluate((el) => Math.round(el.getBoundingClientRect().height)))
      .toBe(await page.evaluate(() => Math.round(window.visualViewport!.height)));
    expect(await page.evaluate(() => window.visualViewport!.height)).toBe(300);
    expect(await composerInside()).toBe(true);
    expect(await noOverflow()).toBe(true);
    await screenshot(page, 'visitor-thread-phone-keyboard-light');

    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('shows the list and a resolved conversation on a phone, light and dark, with no serious axe finding', async () => {
    const bob = await server.member(tenant, 'bob-1', { name: 'Bob', lastName: 'Builder' });
    const first = await start(bob, 'Is the shop open on Sunday?');
    await agentDoes('POST', `/v1/support/conversations/${first}/resolve`);
    await start(bob, 'Do you deliver to Porto?');
    const ctx = await context(VIEWPORTS.phone);
    const token = hostToken('bob-1', { name: 'Bob', lastName: 'Builder' });
    const page = await openHostPage(ctx, server, { body: `<chat-widget app="${tenant.id}" user-token="${token}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const rows = widget.locator('[part=conversation]');
    await expect.poll(() => rows.count()).toBe(2);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `visitor-conversations-list-phone-${scheme}`);
      expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await rows.nth(1).click();
    await expect.poll(() => widget.locator('.banner.note').count()).toBe(1);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `visitor-conversations-resolved-phone-${scheme}`);
      expect(await axeFindings(page, 'chat-widget')).toEqual([]);
    }
    expect(page.problems).toEqual([]);
    await ctx.close();
  });
});
