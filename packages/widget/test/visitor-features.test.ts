import type { MessageDto, PageDto, ReceiptDto, RoomDto, SupportInboxItemDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { itemAt } from '../../server/test/helpers/items.js';
import { launchBrowser, openHostPage, startTestServer, storedSession, storedVisit, type TestServer } from './helpers/browser.js';

function hostToken(tenant: App, externalId: string, name: string): string {
  return jwt.sign({ name }, tenant.secret, { algorithm: 'HS256', subject: externalId, audience: tenant.id, expiresIn: '1h' });
}

describe('<chat-widget> for visitors', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('counts unread replies on the launcher badge while closed and tells a hidden page in its title', async () => {
    const context = await browser.newContext();
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await page.evaluate(() => {
      const w = window as unknown as { unread: number[] };
      w.unread = [];
      document.addEventListener('chat-unread', (e) => w.unread.push((e as CustomEvent<{ count: number }>).detail.count));
    });
    await widget.locator('button.launcher').click();
    await widget.locator('textarea[part=input]').fill('Is anyone there?');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => widget.getAttribute('open')).toBe(null);

    const agent = await server.member(tenant, 'agent-badge', { role: 'agent', name: 'Bea' });
    const inbox = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: agent.accessToken });
    const conversationId = itemAt(inbox.body.items, 0).id;
    // The page goes to the background before the reply comes.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const title = await page.title();
    const reply = await server.request('POST', `/v1/rooms/${conversationId}/messages`, {
      token: agent.accessToken,
      body: { text: 'Yes! How can I help?', clientId: 'reply-badge-1' },
    });
    expect(reply.status).toBe(201);
    await expect.poll(() => widget.locator('[part=badge]').textContent()).toBe('1');
    await expect.poll(() => page.title()).toContain('(1)');
    expect(await widget.locator('button.launcher').getAttribute('aria-label')).toContain('1 unread');
    expect(await page.evaluate(() => (window as unknown as { unread: number[] }).unread)).toContain(1);

    // Back to the page and open: the badge goes, the reply is read, the title is restored.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await page.title()).toBe(title.replace(/^\(1\)[^·]*· /, ''));
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part=badge]').count()).toBe(0);
    await expect
      .poll(
        async () =>
          (
            await server.request<PageDto<ReceiptDto>>('GET', `/v1/rooms/${conversationId}/receipts`, { token: agent.accessToken })
          ).body.items.find((r) => r.userId !== agent.user.id)?.readSeq,
      )
      .toBeGreaterThanOrEqual(2);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('identify(token) turns the visitor into the host site user and keeps their conversation', async () => {
    const context = await browser.newContext();
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await widget.locator('textarea[part=input]').fill('Question before logging in');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);

    const token = hostToken(tenant, 'customer-42', 'Carla Customer');
    await page.evaluate((t) => document.querySelector('chat-widget')!.identify(t), token);
    const stored = (await storedSession(page))!;
    expect(stored.user.kind).toBe('member');
    expect(stored.user.externalId).toBe('customer-42');
    await widget.locator('textarea[part=input]').fill('Now I am signed in');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect
      .poll(() => widget.locator('[part~=message][part~=mine]').allTextContents())
      .toEqual([expect.stringContaining('Question before logging in'), expect.stringContaining('Now I am signed in')]);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('with user-token, the page signs the visitor in as that user', async () => {
    const context = await browser.newContext();
    const token = hostToken(tenant, 'customer-77', 'Dora Customer');
    const page = await openHostPage(context, server, {
      body: `<chat-widget app="${tenant.id}" user-token="${token}" require-name></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    // A known user skips the pre-chat form.
    await widget.locator('textarea[part=input]').fill('Signed in by my site');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    expect(await widget.locator('[part=prechat]').count()).toBe(0);
    expect((await storedSession(page))!.user.name).toBe('Dora Customer');
    await context.close();
  });

  it('with room, joins that public room and shows its history instead of a support conversation', async () => {
    const owner = await server.member(tenant, 'room-owner', { name: 'Owner' });
    const room = await server.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { name: 'Lobby', kind: 'public' } });
    expect(room.status).toBe(201);
    await server.request('POST', `/v1/rooms/${room.body.id}/messages`, {
      token: owner.accessToken,
      body: { text: 'Welcome to the lobby', clientId: 'lobby-1' },
    });
    const context = await browser.newContext();
    const page = await openHostPage(context, server, {
      body: `<chat-widget app="${tenant.id}" room="${room.body.id}" mode="inline"></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    await expect
      .poll(() => widget.locator('[part~=message][part~=theirs]').allTextContents())
      .toEqual([expect.stringContaining('Welcome to the lobby')]);
    await widget.locator('textarea[part=input]').fill('Hi everyone');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect
      .poll(async () =>
        (
          await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${room.body.id}/messages`, { token: owner.accessToken })
        ).body.items.map((m) => m.text),
      )
      .toContain('Hi everyone');
    const conversations = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', {
      token: (await server.member(tenant, 'agent-room', { role: 'agent' })).accessToken,
    });
    expect(conversations.body.items.every((c) => c.id !== room.body.id)).toBe(true);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('loads older pages when scrolled to the top and keeps the view where it was', async () => {
    const context = await browser.newContext();
    const page = await openHostPage(context, server, {
      body: `<chat-widget app="${tenant.id}" mode="inline" style="--chat-height: 400px"></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    await widget.locator('textarea[part=input]').fill('first');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    const agent = await server.member(tenant, 'agent-history', { role: 'agent', name: 'Hal' });
    const id = (await storedVisit(page))!.conversationId!;
    for (let i = 1; i <= 70; i++) {
      await server.request('POST', `/v1/rooms/${id}/messages`, {
        token: agent.accessToken,
        body: { text: `history ${i}`, clientId: `history-${i}` },
      });
    }
    await page.reload();
    await expect.poll(() => widget.locator('[part~=message][part~=theirs]').last().textContent()).toContain('history 70');
    const before = await widget.locator('[part~=message]').count();
    expect(before).toBeLessThan(72);
    // Remember the message at the top of the view, scroll up, and check it stays in place.
    const anchorId = await widget.locator('[part~=message][part~=theirs]').first().getAttribute('data-id');
    await widget.locator('[part=messages]').evaluate((el) => el.scrollTo({ top: 0, behavior: 'instant' }));
    await expect.poll(() => widget.locator('[part~=message]').count()).toBeGreaterThan(before);
    const top = await widget.locator('[part=messages]').evaluate((el) => el.scrollTop);
    expect(top).toBeGreaterThan(100);
    const anchorBox = await widget.locator(`[data-id="${anchorId}"]`).boundingBox();
    const listBox = await widget.locator('[part=messages]').boundingBox();
    expect(anchorBox!.y).toBeGreaterThanOrEqual(listBox!.y - 5);
    expect(anchorBox!.y).toBeLessThan(listBox!.y + listBox!.height);
    await context.close();
  });
});
