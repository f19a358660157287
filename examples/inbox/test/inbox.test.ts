import { type ChatClient, createClient } from '@confab/sdk';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../../packages/server/src/db/models/index.js';
import { createAgent, launchBrowser, startTestServer, type TestServer } from '../../../packages/widget/test/helpers/browser.js';
import { type RunningExample, startExample, watchForProblems } from '../../host-page/test/helpers/example-server.js';

const names = (inbox: Locator) => inbox.locator('button.item .name').allTextContents();

describe('examples/inbox: the agents page on its own origin', () => {
  let server: TestServer;
  let tenant: App;
  let site: RunningExample;
  let browser: Browser;
  const visitors: ChatClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'olga', 'olga-password-1', 'Olga');
    site = await startExample(new URL('../', import.meta.url), { CONFAB_URL: server.url, CONFAB_APP: tenant.id });
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await Promise.all(visitors.splice(0).map((client) => client.logout()));
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await server?.close();
  });

  async function signIn() {
    const page = await (await browser.newContext()).newPage();
    const problems = await watchForProblems(page);
    await page.goto(`${site.url}/`);
    const inbox = page.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('olga');
    await inbox.locator('input[name=password]').fill('olga-password-1');
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    return { page, inbox, problems };
  }

  async function visitor(name: string): Promise<ChatClient> {
    const client = createClient({ url: server.url, app: tenant.id });
    visitors.push(client);
    await client.connectGuest({ name });
    return client;
  }

  it('points the inbox at the configured server and app from a page of another origin', async () => {
    const res = await fetch(`${site.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src ${server.url} ${server.url.replace(/^http/, 'ws')};`);
    expect(csp).not.toContain('unsafe');
    expect(await res.text()).toContain(`<chat-inbox app="${tenant.id}" server="${server.url}"></chat-inbox>`);
    expect(new URL(site.url).origin).not.toBe(new URL(server.url).origin);
  });

  it('lists a new visitor conversation live and delivers the agent answer to the visitor', async () => {
    const { page, inbox, problems } = await signIn();
    expect(await names(inbox)).toEqual([]);

    const rita = await visitor('Rita');
    const started = await rita.support.start({ text: 'Where is my parcel?' });
    const room = await rita.room(started.id).watch();
    await expect.poll(() => names(inbox)).toEqual(['Rita']);

    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    await expect
      .poll(() => inbox.locator('[part~=message][part~=theirs]').allTextContents())
      .toEqual([expect.stringContaining('Where is my parcel?')]);
    const input = inbox.locator('textarea[part~=input]');
    await input.fill('It left our warehouse this morning.');
    await input.press('Enter');

    const fromOlga = () =>
      room.state
        .get()
        .messages.filter((m) => m.sender?.name === 'Olga')
        .map((m) => m.text);
    await expect.poll(fromOlga).toEqual(['It left our warehouse this morning.']);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });

  it('keeps the agent signed in when the page is reloaded', async () => {
    const { page, inbox, problems } = await signIn();
    await page.reload();
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    expect(await inbox.locator('input[name=password]').count()).toBe(0);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });
});
