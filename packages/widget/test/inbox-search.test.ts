import type { AuthSessionDto, MessageDto, StartConversationResult } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings, WCAG_TAGS } from './helpers/axe.js';
import {
  createAgent,
  launchBrowser,
  openInbox,
  revealedInThread,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const AGENT = { username: 'sara', password: 'sara-password-1', name: 'Sara' };

describe('inbox search', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let refund: MessageDto;
  let ritaId: string;

  async function post<T>(session: AuthSessionDto, path: string, body: unknown): Promise<T> {
    const res = await server.request<T>('POST', path, { token: session.accessToken, body });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  }

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
    // Rita's match is older than the first page the thread loads: opening it must page back to it.
    const rita = (
      await server.request<AuthSessionDto>('POST', '/v1/auth/guest', {
        app: tenant.id,
        body: { name: 'Rita Lopes', email: 'rita@example.com' },
      })
    ).body;
    const started = await post<StartConversationResult>(rita, '/v1/support/conversations', { text: 'Hello', clientId: 'rita-0' });
    ritaId = started.id;
    for (let i = 1; i <= 70; i += 1) {
      const text = i === 5 ? 'My refund for order 4471 never came back to my card' : `Another detail, number ${i}`;
      const sent = await post<MessageDto>(rita, `/v1/rooms/${ritaId}/messages`, { text, clientId: `rita-${i}` });
      if (i === 5) refund = sent;
    }
    const tomas = await server.guest(tenant, 'Tomás');
    await post(tomas, '/v1/support/conversations', { text: 'Are refunds possible after 30 days?', clientId: 'tomas-0' });
    const carla = await server.guest(tenant, 'Carla');
    await post(carla, '/v1/support/conversations', { text: 'Do you ship to Madeira?', clientId: 'carla-0' });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const box = (inbox: Locator) => inbox.getByRole('searchbox', { name: 'Search conversations' });
  const results = (inbox: Locator) => inbox.locator('.search-results button.item');

  it('finds conversations by a word prefix, marks the words, and opens one at its match (desktop)', async () => {
    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.desktop });
    await expect.poll(() => inbox.locator('button.item').count()).toBe(3);
    await screenshot(page, 'inbox-search-desktop-empty');

    // "/" jumps to the box.
    await inbox.locator('.toolbar .title').click();
    await page.keyboard.press('/');
    await expect
      .poll(() =>
        box(inbox).evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el),
      )
      .toBe(true);
    await page.keyboard.type('refun');
    await expect.poll(() => results(inbox).locator('.name').allTextContents()).toEqual(expect.arrayContaining(['Rita Lopes', 'Tomás']));
    expect(await results(inbox).count()).toBe(2);
    expect(await inbox.getByRole('tab').count()).toBe(0);
    const marks = await results(inbox).locator('mark').allTextContents();
    expect(marks.map((m) => m.toLowerCase())).toEqual(['refun', 'refun']);
    await screenshot(page, 'inbox-search-desktop-results-light');
    expect(await axeFindings(page, 'chat-inbox', { tags: WCAG_TAGS })).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-search-desktop-results-dark');
    expect(await axeFindings(page, 'chat-inbox', { tags: WCAG_TAGS })).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // Rita's match is 66 messages back: the thread pages to it, scrolls it into view and focuses it.
    await results(inbox).filter({ hasText: 'Rita Lopes' }).click();
    await expect.poll(() => inbox.locator('.conv-header h2').textContent()).toBe('Rita Lopes');
    await expect.poll(() => revealedInThread(inbox, refund.id), { timeout: 15_000 }).toBe(true);
    expect(await inbox.locator('.search-results button.item[aria-current=true] .name').textContent()).toBe('Rita Lopes');
    await screenshot(page, 'inbox-search-desktop-opened');

    // By email: the visitor matched, no message.
    await box(inbox).fill('rita@exam');
    await expect
      .poll(() => results(inbox).locator('.snippet').allTextContents())
      .toEqual([expect.stringContaining('visitor’s name or email')]);
    expect(await results(inbox).locator('mark').allTextContents()).toEqual(['rita@exam']);
    await screenshot(page, 'inbox-search-desktop-visitor');

    // Nothing found says so; Escape gives the tabs back.
    await box(inbox).fill('zeppelin');
    await expect.poll(() => inbox.locator('.search-status').textContent()).toContain('No conversations match “zeppelin”');
    await screenshot(page, 'inbox-search-desktop-none');
    await box(inbox).press('Escape');
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    expect(await box(inbox).inputValue()).toBe('');
    expect(errors).toEqual([]);
    expect(page.problems).toEqual([]);
    await page.context().close();
  });

  it('searches and opens a result at 375 px', async () => {
    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await expect.poll(() => inbox.locator('button.item').count()).toBe(3);
    await box(inbox).fill('refund order');
    await expect.poll(() => results(inbox).locator('.name').allTextContents()).toEqual(['Rita Lopes']);
    await screenshot(page, 'inbox-search-phone-results-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-search-phone-results-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await axeFindings(page, 'chat-inbox', { tags: WCAG_TAGS })).toEqual([]);
    await results(inbox).first().click();
    await expect.poll(() => revealedInThread(inbox, refund.id), { timeout: 15_000 }).toBe(true);
    // Only the message list scrolled: the conversation header stays on screen.
    expect((await inbox.locator('.conv-header h2').boundingBox())!.y).toBeGreaterThanOrEqual(0);
    await screenshot(page, 'inbox-search-phone-opened');
    // Back returns to the results, still there.
    await inbox.getByRole('button', { name: 'Back to conversations' }).click();
    await expect.poll(() => results(inbox).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
