import type { MessageDto, PageDto, SupportInboxItemDto } from '@confab/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, User } from '../../../packages/server/src/db/models/index.js';
import { launchBrowser } from '../../../packages/widget/test/helpers/browser.js';
import { type RunningBackend, startHostBackend, startTestServer, type TestServer } from './helpers.js';

/** Page errors, dialogs and CSP refusals, which must all stay empty. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}

describe('host backend page in Chromium: sign in on the site, chat as that user', () => {
  let server: TestServer;
  let tenant: App;
  let backend: RunningBackend;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    backend = await startHostBackend(server, tenant);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.close();
    await server?.close();
  });

  it('a guest signs in through the form, the widget identifies, and support sees the site user as the sender', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${backend.url}/`);
    const widget = page.locator('chat-widget');
    const mine = widget.locator('[part~=message][part~=mine]');
    const input = widget.locator('textarea[part=input]');

    // A question as an anonymous visitor first: it must come along after signing in.
    await widget.locator('button.launcher').click();
    await input.fill('A question before signing in');
    await input.press('Enter');
    await expect.poll(() => mine.count()).toBe(1);

    await page.locator('#login input[name=username]').fill('alice');
    await page.locator('#login input[name=password]').fill('wonderland');
    await page.locator('#login button[type=submit]').click();
    await expect.poll(() => page.locator('body').getAttribute('data-chat')).toBe('identified');
    expect(await page.locator('#user-name').textContent()).toBe('Alice Liddell');

    await input.fill('Where is my order?');
    await input.press('Enter');
    await expect.poll(() => mine.count()).toBe(2);
    await expect.poll(() => mine.last().getAttribute('data-status')).not.toBe('pending');

    const alice = await User.query(server.db).findOne({ appId: tenant.id, externalId: 'u-1001' });
    expect(alice).toMatchObject({ kind: 'member', name: 'Alice', lastName: 'Liddell', email: 'alice@example.com' });
    const agent = await server.member(tenant, 'agent-1', { role: 'agent', name: 'Ana Agent' });
    const inbox = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: agent.accessToken });
    expect(inbox.body.items).toHaveLength(1);
    const [conversation] = inbox.body.items;
    if (!conversation) throw new Error('The inbox lists no conversation');
    expect(conversation.visitor).toMatchObject({ id: alice!.id, kind: 'member', name: 'Alice' });
    const conversationId = conversation.id;
    const texts = async () => {
      const res = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${conversationId}/messages`, { token: agent.accessToken });
      return res.body.items.filter((m) => m.type === 'text').map((m) => ({ text: m.text, senderId: m.senderId, kind: m.sender?.kind }));
    };
    expect(await texts()).toEqual([
      { text: 'A question before signing in', senderId: alice!.id, kind: 'member' },
      { text: 'Where is my order?', senderId: alice!.id, kind: 'member' },
    ]);

    // Reloaded, the page is rendered for Alice with user-token: still Alice, same conversation.
    await page.reload();
    expect(await page.locator('chat-widget').getAttribute('user-token')).toBeTruthy();
    await widget.locator('button.launcher').click();
    await expect.poll(() => mine.count()).toBe(2);
    await input.fill('Sent after a reload');
    await input.press('Enter');
    await expect.poll(async () => (await texts()).at(-1)).toEqual({ text: 'Sent after a reload', senderId: alice!.id, kind: 'member' });

    // Signing out of the site ends the chat session too and leaves nothing behind.
    await page.locator('#logout button[type=submit]').click();
    await expect.poll(() => page.locator('#signed-out').isVisible()).toBe(true);
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a page rendered for a signed-in user chats as that user without calling identify()', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${backend.url}/`);
    // Sign in without the page's script: a plain form post and the redirect back.
    await page.evaluate(() =>
      document.querySelector<HTMLFormElement>('#login')!.replaceWith(document.querySelector('#login')!.cloneNode(true)),
    );
    await page.locator('#login input[name=username]').fill('bob');
    await page.locator('#login input[name=password]').fill('can-we-fix-it');
    await Promise.all([page.waitForURL(`${backend.url}/`), page.locator('#login button[type=submit]').click()]);
    await expect.poll(() => page.locator('#user-name').textContent()).toBe('Bob Builder');

    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await widget.locator('textarea[part=input]').fill('Hello from Bob');
    await widget.locator('textarea[part=input]').press('Enter');
    const sentByBob = async () => {
      const bob = await User.query(server.db).findOne({ appId: tenant.id, externalId: 'u-1002' });
      if (!bob) return [];
      const rows: { text: string }[] = await server.db('messages').where({ senderId: bob.id, type: 'text' }).select('text');
      return rows.map((m) => m.text);
    };
    await expect.poll(sentByBob).toEqual(['Hello from Bob']);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a support agent of the site signs in on the site and answers in the inbox at /support', async () => {
    const visitorContext = await browser.newContext();
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${backend.url}/`);
    const widget = visitor.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await widget.locator('textarea[part=input]').fill('Do you deliver to Porto?');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);

    const agentContext = await browser.newContext();
    const agent = await agentContext.newPage();
    const problems = watchProblems(agent);
    await agent.goto(`${backend.url}/`);
    await agent.locator('#login input[name=username]').fill('carol');
    await agent.locator('#login input[name=password]').fill('answers-first');
    await Promise.all([agent.waitForURL(`${backend.url}/support`), agent.locator('#login button[type=submit]').click()]);
    const inbox = agent.locator('chat-inbox');
    const item = inbox.locator('button.item', { hasText: 'Porto' });
    await expect.poll(() => item.count()).toBe(1);
    await item.click();
    await inbox.locator('textarea[part=input]').fill('Yes, in 2 to 3 days.');
    await inbox.locator('textarea[part=input]').press('Enter');

    await expect.poll(() => widget.locator('[part~=message][part~=theirs]').last().textContent()).toContain('Yes, in 2 to 3 days.');
    const carol = await User.query(server.db).findOne({ appId: tenant.id, externalId: 'u-2001' });
    expect(carol).toMatchObject({ role: 'agent', name: 'Carol' });
    expect(await server.db('messages').where({ senderId: carol!.id, type: 'text' }).pluck('text')).toEqual(['Yes, in 2 to 3 days.']);

    // Signing out of the site from the inbox page goes back to the shop, signed out.
    await Promise.all([agent.waitForURL(`${backend.url}/`), agent.locator('#logout button[type=submit]').click()]);
    await expect.poll(() => agent.locator('#signed-out').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await visitorContext.close();
    await agentContext.close();
  });
});
