import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import {
  createAgent,
  launchBrowser,
  openHostPage,
  startTestServer,
  storedSession,
  type TestServer,
  violations,
} from './helpers/browser.js';

describe('a visitor and an agent talk through <chat-widget> and <chat-inbox>', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'ana', 'correct horse battery', 'Ana Agent');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the whole conversation live, keeps the history across a reload and forgets it on logout', async () => {
    const visitorContext = await browser.newContext();
    const agentContext = await browser.newContext();
    const visitor = await openHostPage(visitorContext, server, {
      body: `<h1>Shop</h1><chat-widget app="${tenant.id}" require-name require-email></chat-widget>`,
    });
    const widget = visitor.locator('chat-widget');

    // Nothing is stored before the visitor opens the chat.
    expect(await visitor.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await widget.locator('button.launcher').click();
    await widget.locator('[part=prechat] input[name=name]').fill('Maria Visitor');
    await widget.locator('[part=prechat] input[name=email]').fill('maria@example.com');
    await widget.locator('[part=prechat] button[type=submit]').click();
    const input = widget.locator('textarea[part=input]');
    await input.fill('Hello, my order has not arrived');
    await input.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.count()).toBe(1);
    await expect.poll(() => mine.first().getAttribute('data-status')).toBe('sent');
    // The visit (its conversation) and the session the SDK shares with other tabs.
    expect((await visitor.evaluate(() => Object.keys(localStorage))).sort()).toEqual([
      expect.stringMatching(/^confab:widget:/),
      expect.stringMatching(/^confab:widget:.*:session$/),
    ]);

    // The agent signs in; the conversation is already listed.
    const agent = await openHostPage(agentContext, server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    const inbox = agent.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('ana');
    await inbox.locator('input[name=password]').fill('correct horse battery');
    await inbox.locator('form.signin button[type=submit]').click();
    const items = inbox.locator('button.item');
    await expect.poll(() => items.count()).toBe(1);

    // The first message is unread; a second one arrives live and counts too.
    const unread = inbox.locator('button.item .unread');
    await expect.poll(() => unread.textContent()).toBe('1');
    await input.fill('Order #1234');
    await input.press('Enter');
    await expect.poll(() => unread.textContent()).toBe('2');
    expect(await items.first().textContent()).toContain('Maria Visitor');

    // Claim, look at the details, type (the visitor sees it) and reply.
    await items.first().click();
    await inbox.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => inbox.locator('.pill').textContent()).toContain('Open');
    await expect.poll(() => inbox.locator('aside.details').textContent()).toContain('maria@example.com');
    const agentInput = inbox.locator('textarea[part=input]');
    await agentInput.pressSequentially('Let me che', { delay: 20 });
    await expect.poll(() => widget.locator('.typing').textContent(), { timeout: 10_000 }).toContain('Ana Agent is typing');
    await agentInput.fill('Let me check that for you.');
    await agentInput.press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=theirs]').last().textContent()).toContain('Let me check that for you.');
    // The agent has the conversation open: the visitor's messages show as read.
    await expect.poll(() => mine.last().getAttribute('data-status'), { timeout: 10_000 }).toBe('read');

    // Resolving shows on both sides.
    await inbox.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => inbox.locator('.pill').textContent()).toContain('Resolved');
    await expect.poll(() => widget.locator('.system').last().textContent()).toContain('Conversation resolved');

    // Reload: the same visitor and the same history.
    const userBefore = (await storedSession(visitor))!.user.id;
    await visitor.reload();
    await widget.locator('button.launcher').click();
    await expect
      .poll(() => widget.locator('[part~=message]').allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringContaining('Hello, my order has not arrived'),
          expect.stringContaining('Let me check that for you.'),
        ]),
      );
    expect((await storedSession(visitor))!.user.id).toBe(userBefore);

    // logout() ends the session and forgets everything.
    await visitor.evaluate(() => document.querySelector('chat-widget')!.logout());
    expect(await visitor.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await expect.poll(() => widget.locator('[part=prechat]').count()).toBe(1);
    await visitor.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part=prechat]').count()).toBe(1);
    expect(await widget.locator('[part~=message][part~=mine]').count()).toBe(0);

    expect(visitor.problems).toEqual([]);
    expect(agent.problems).toEqual([]);
    expect(await violations(visitor)).toEqual([]);
    await visitorContext.close();
    await agentContext.close();
  });
});
