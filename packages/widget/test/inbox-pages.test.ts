import type { StartConversationResult } from '@confab/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  horizontalOverflow,
  launchBrowser,
  openInbox,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const AGENT = { username: 'pia', password: 'pia-password-1', name: 'Pia' };

describe('<chat-inbox> pages', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
    const visitor = await server.guest(tenant, 'Nora');
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'Where is my parcel?', clientId: 'pages-nora' },
    });
    expect(res.status).toBe(201);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('switches between conversations, reports and settings from the rail, keeping the open conversation', async () => {
    const { context, inbox, errors } = await openInbox(browser, server, tenant, AGENT);
    const rail = inbox.getByRole('navigation', { name: 'Inbox sections' });
    await expect
      .poll(async () => (await rail.getByRole('button').allTextContents()).map((t) => t.trim()))
      .toEqual(['Conversations', 'Reports', 'Settings']);
    await expect.poll(() => rail.locator('[aria-current=page]').getAttribute('data-page')).toBe('conversations');
    await inbox.locator('button.item', { hasText: 'Nora' }).click();
    await expect.poll(() => inbox.locator('.conv-header h2').textContent()).toContain('Nora');
    await screenshot(inbox.page(), 'inbox-pages-desktop');

    await rail.getByRole('button', { name: 'Reports' }).click();
    await expect.poll(() => inbox.locator('confab-inbox-reports').count()).toBe(1);
    expect(await inbox.locator('.conversation').count()).toBe(0);
    expect(await rail.locator('[aria-current=page]').getAttribute('data-page')).toBe('reports');
    await rail.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => inbox.locator('confab-inbox-settings').count()).toBe(1);
    expect(await axeFindings(inbox.page(), 'chat-inbox')).toEqual([]);

    await rail.getByRole('button', { name: 'Conversations' }).click();
    await expect.poll(() => inbox.locator('.conv-header h2').textContent()).toContain('Nora');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('puts the pages in a tab bar under the list on a phone, and hides it while a conversation is open', async () => {
    const { context, page, inbox } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    const rail = inbox.getByRole('navigation', { name: 'Inbox sections' });
    await expect.poll(() => inbox.locator('button.item').count()).toBe(1);
    const bar = (await rail.boundingBox())!;
    // A bar across the bottom of the screen, each page named under its icon.
    expect(bar.width).toBe(VIEWPORTS.phone.width);
    expect(bar.y + bar.height).toBeCloseTo(VIEWPORTS.phone.height, 0);
    expect(await rail.getByRole('button', { name: 'Reports' }).locator('.rail-label').isVisible()).toBe(true);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-pages-phone-list');

    await inbox.locator('button.item', { hasText: 'Nora' }).click();
    await expect.poll(() => rail.isVisible()).toBe(false);
    await page.goBack();
    await expect.poll(() => rail.isVisible()).toBe(true);
    await rail.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => inbox.locator('confab-inbox-settings').isVisible()).toBe(true);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await context.close();
  });
});
