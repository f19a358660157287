import type { AuthSessionDto, MessageDto, SupportConversationDto, SupportNoteDto } from '@confab/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import {
  createAgent,
  deepText,
  launchBrowser,
  openHostPage,
  openInbox,
  revealedInThread,
  screenshot,
  startTestServer,
  storedVisit,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const AGENT = { username: 'teo', password: 'teo-password-1', name: 'Teo' };
const NOTE = 'Replacement goes out with tomorrow’s courier';

describe('the support desk, end to end in the browser', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let colleague: AuthSessionDto;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
    colleague = await server.member(tenant, 'colleague', { role: 'agent', name: 'Caio' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the visitor rates the resolved conversation; the agent notes and labels it, finds it by a word, opens it at the match', async () => {
    // The visitor writes from the site; the word to find later is in their first message.
    const visitorContext = await browser.newContext({ viewport: VIEWPORTS.phone });
    const site = await openHostPage(visitorContext, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = site.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const visitorInput = widget.locator('textarea[part=input]');
    await visitorInput.fill('My lamp arrived with a cracked shade');
    await visitorInput.press('Enter');
    await expect.poll(async () => (await storedVisit(site))?.conversationId).toBeTruthy();
    const id = (await storedVisit(site))!.conversationId!;
    // A long back-and-forth after it, so the match is far above the end of the thread.
    for (let i = 1; i <= 30; i++) {
      const sent = await server.request('POST', `/v1/rooms/${id}/messages`, {
        token: colleague.accessToken,
        body: { text: `Checking step ${i} with the warehouse`, clientId: `desk-step-${i}` },
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    }
    const history = await server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${id}/messages?limit=100`, {
      token: colleague.accessToken,
    });
    const match = history.body.items.find((m) => m.text.includes('cracked'))!;
    expect(match).toBeTruthy();

    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.desktop });
    await inbox.locator('button.item').first().click();
    await expect.poll(() => inbox.locator('.conv-header h2').textContent()).toBeTruthy();

    // A label, created from the picker and put on the conversation.
    await inbox.getByRole('button', { name: 'Label', exact: true }).click();
    await inbox.getByRole('combobox', { name: 'Find or create a label' }).fill('Damaged');
    await page.keyboard.press('Enter');
    await expect.poll(() => inbox.locator('confab-inbox-labels .chips .label-name').allTextContents()).toEqual(['Damaged']);
    await page.keyboard.press('Escape');

    // A private note: in the thread for the team, never for the visitor.
    await inbox.getByRole('button', { name: 'Private note' }).click();
    const input = inbox.locator('textarea[part=input]');
    await input.fill(NOTE);
    await input.press('Enter');
    await expect.poll(() => inbox.locator('confab-inbox-note .text').allTextContents()).toEqual([NOTE]);
    await inbox.getByRole('button', { name: 'Reply', exact: true }).click();
    await input.fill('Sorry about that! A new shade is on its way.');
    await input.press('Enter');
    await expect
      .poll(() => widget.locator('[part~=message]').allTextContents())
      .toContainEqual(expect.stringContaining('A new shade is on its way'));

    // Resolved: the visitor's widget asks for a rating, and the rating reaches the inbox.
    await inbox.getByRole('button', { name: 'Resolve' }).click();
    const card = widget.locator('confab-rating');
    await expect.poll(() => card.locator('legend').textContent()).toBe('How was this conversation?');
    await card.getByRole('radio', { name: 'Great' }).check();
    await card.getByRole('textbox', { name: 'Tell us more (optional)' }).fill('Fixed in minutes');
    await card.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => card.locator('.thanks').textContent()).toContain('You rated it 5/5');
    const rated = await server.request<SupportConversationDto>('GET', `/v1/support/conversations/${id}`, { token: colleague.accessToken });
    expect(rated.body.rating).toMatchObject({ score: 5, comment: 'Fixed in minutes' });
    expect(rated.body.labels.map((l) => l.name)).toEqual(['Damaged']);

    // Nothing of the team's reaches the visitor: no note, no label.
    const seen = await deepText(widget);
    expect(seen).toContain('A new shade is on its way');
    expect(seen).not.toContain(NOTE);
    expect(seen).not.toContain('Damaged');

    // The agent leaves it, searches a word of the visitor's first message, and lands on it.
    await inbox.getByRole('button', { name: 'Reports' }).click();
    const reports = inbox.locator('confab-inbox-reports');
    // This conversation's rating is in the team's figures.
    await expect
      .poll(() => reports.locator('.tile-value').allTextContents())
      .toEqual(['1', '1', expect.any(String), expect.any(String), '5.0']);
    await inbox.getByRole('button', { name: 'Conversations' }).click();
    const search = inbox.getByRole('searchbox', { name: 'Search conversations' });
    await search.fill('crack');
    const results = inbox.locator('.search-results button.item');
    await expect.poll(() => results.count()).toBe(1);
    expect((await results.locator('mark').allTextContents()).map((m) => m.toLowerCase())).toEqual(['crack']);
    await results.first().click();
    await expect.poll(() => revealedInThread(inbox, match.id), { timeout: 15_000 }).toBe(true);
    // The note is still there for the team, and the rating shows in the visitor's details.
    expect(await inbox.locator('confab-inbox-note .text').allTextContents()).toEqual([NOTE]);
    await expect.poll(() => inbox.locator('aside.details').textContent()).toContain('5/5');
    await screenshot(page, 'support-desk-opened-at-match');

    // The notes API agrees.
    const notes = await server.request<{ items: SupportNoteDto[] }>('GET', `/v1/support/conversations/${id}/notes`, {
      token: colleague.accessToken,
    });
    expect(notes.body.items.map((n) => n.text)).toEqual([NOTE]);
    expect(errors).toEqual([]);
    expect(site.problems).toEqual([]);
    await visitorContext.close();
    await page.context().close();
  });
});
