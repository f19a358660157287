import type { StartConversationResult } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { createAgent, launchBrowser, openHostPage, startTestServer, type TestServer } from './helpers/browser.js';

describe('<chat-inbox> for agents', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'olga', 'olga-password-1', 'Olga');
    await createAgent(server, tenant, 'pedro', 'pedro-password-1', 'Pedro');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(username: string, password: string) {
    const page = await openHostPage(await browser.newContext(), server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    const inbox = page.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill(username);
    await inbox.locator('input[name=password]').fill(password);
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    return { page, inbox };
  }

  async function startConversation(name: string, text: string): Promise<string> {
    const visitor = await server.guest(tenant, name);
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text, clientId: `start-${name}` },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const names = (inbox: Locator) => inbox.locator('button.item .name').allTextContents();

  it('refuses an account that is not an agent', async () => {
    const page = await openHostPage(await browser.newContext(), server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    const registered = await server.request('POST', '/v1/auth/register', {
      app: tenant.id,
      body: { username: 'plainuser', password: 'plain-password-1', name: 'Plain' },
    });
    expect(registered.status).toBe(201);
    const inbox = page.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('plainuser');
    await inbox.locator('input[name=password]').fill('plain-password-1');
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.locator('[role=alert]').textContent()).toContain('not a support agent');
    expect(await inbox.getByRole('tab').count()).toBe(0);
    await page.context().close();
  });

  it('files conversations under open, mine, unassigned and resolved, live, as they are claimed, handed over and resolved', async () => {
    const { page, inbox } = await signIn('olga', 'olga-password-1');
    await startConversation('Rita', 'Where is my parcel?');
    await expect.poll(() => names(inbox)).toEqual(['Rita']);
    await startConversation('Sam', 'Can I change my address?');
    await expect.poll(() => names(inbox)).toEqual(['Sam', 'Rita']);

    // Claim Rita's: she moves from unassigned to mine.
    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    await inbox.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => inbox.locator('.system').last().textContent()).toContain('Olga joined the conversation');
    await inbox.getByRole('tab', { name: 'Mine' }).click();
    await expect.poll(() => names(inbox)).toEqual(['Rita']);
    await inbox.getByRole('tab', { name: 'Unassigned' }).click();
    await expect.poll(() => names(inbox)).toEqual(['Sam']);

    // Hand Sam's over to Pedro: it leaves the unassigned tab live.
    await inbox.locator('button.item', { hasText: 'Sam' }).click();
    const pedro = await inbox.locator('.assign option', { hasText: 'Pedro' }).getAttribute('value');
    await inbox.locator('.assign select').selectOption(pedro!);
    await expect.poll(() => names(inbox)).toEqual([]);
    await expect.poll(() => inbox.locator('aside.details').textContent()).toContain('Sam');

    // Resolve Rita's from the mine tab; it shows under resolved, and reopens.
    await inbox.getByRole('tab', { name: 'Mine' }).click();
    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    await inbox.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => names(inbox)).toEqual([]);
    await inbox.getByRole('tab', { name: 'Resolved' }).click();
    await expect.poll(() => names(inbox)).toEqual(['Rita']);
    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    await inbox.getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => names(inbox)).toEqual([]);
    await inbox.getByRole('tab', { name: 'Open' }).click();
    await expect.poll(() => names(inbox)).toEqual(expect.arrayContaining(['Rita', 'Sam']));
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('inserts a saved reply when the agent types / and its shortcut', async () => {
    const { page, inbox } = await signIn('pedro', 'pedro-password-1');
    const created = await server.request('POST', '/v1/canned-responses', {
      token: (await server.member(tenant, 'canned-admin', { role: 'agent' })).accessToken,
      body: { shortcut: 'refund', text: 'Refunds take 5 business days.' },
    });
    expect(created.status).toBe(201);
    await page.reload();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    await startConversation('Tina', 'I want my money back');
    await inbox.locator('button.item', { hasText: 'Tina' }).click();
    const input = inbox.locator('textarea[part=input]');
    await input.pressSequentially('/ref');
    await expect
      .poll(() => inbox.locator('[role=listbox] [role=option]').allTextContents())
      .toEqual([expect.stringContaining('Refunds take 5 business days.')]);
    await input.press('Enter');
    expect(await input.inputValue()).toBe('Refunds take 5 business days.');
    await input.press('Enter');
    await expect.poll(() => inbox.locator('[part~=message][part~=mine]').last().textContent()).toContain('Refunds take 5 business days.');
    await page.context().close();
  });

  it('shows a conversation started after the list loaded but before the first connection came up', async () => {
    await createAgent(server, tenant, 'rosa', 'rosa-password-1', 'Rosa');
    const page = await openHostPage(await browser.newContext(), server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    // A slow network: REST answers, the realtime connection cannot be made yet.
    await page.route('**/socket.io/**', (route) => route.abort());
    const inbox = page.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('rosa');
    await inbox.locator('input[name=password]').fill('rosa-password-1');
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    await startConversation('Vera', 'Started before the agent was connected');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await names(inbox)).not.toContain('Vera');
    await page.unroute('**/socket.io/**');
    await expect.poll(() => names(inbox), { timeout: 20_000 }).toContain('Vera');
    await page.context().close();
  }, 40_000);

  it('catches the list up after the connection dropped: a conversation started meanwhile shows without a reload', async () => {
    const quinn = await createAgent(server, tenant, 'quinn', 'quinn-password-1', 'Quinn');
    const { page, inbox } = await signIn('quinn', 'quinn-password-1');
    const banner = inbox.locator('.banner[role=status]');
    await expect.poll(() => banner.count()).toBe(0);
    // The connection drops and cannot come back for a while (the server let go; the network is down).
    await page.route('**/socket.io/**', (route) => route.abort());
    server.app.io.in(`user:${quinn.id}`).disconnectSockets(true);
    await expect.poll(() => banner.count()).toBe(1);
    await startConversation('Uma', 'Started while the agent was offline');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await names(inbox)).not.toContain('Uma');
    await page.unroute('**/socket.io/**');
    await expect.poll(() => names(inbox), { timeout: 20_000 }).toContain('Uma');
    await expect.poll(() => banner.count()).toBe(0);
    await page.context().close();
  }, 40_000);
});
