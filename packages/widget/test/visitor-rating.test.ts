import type { AuthSessionDto, SupportConversationDto } from '@confab/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  launchBrowser,
  openHostPage,
  screenshot,
  screenshotThemes,
  startTestServer,
  storedVisit,
  type TestServer,
  VIEWPORTS,
  violations,
} from './helpers/browser.js';

const EMOJI = /\p{Extended_Pictographic}/u;

describe('the visitor rates a resolved conversation in <chat-widget>; the inbox shows it', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let resolver: AuthSessionDto;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'rosa', 'rosa-password-1', 'Rosa Agent');
    resolver = await server.member(tenant, 'resolver', { role: 'agent', name: 'Rui' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const conversation = async (id: string) => {
    const res = await server.request<SupportConversationDto>('GET', `/v1/support/conversations/${id}`, { token: resolver.accessToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('asks once resolved, takes a score by keyboard and a comment, thanks, stores it, and the inbox shows it live', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await openHostPage(context, server, {
      body: `<main><h1>Shop</h1></main><chat-widget app="${tenant.id}" theme="light" require-name></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await widget.locator('[part=prechat] input[name=name]').fill('Marta Visitor');
    await widget.locator('[part=prechat] button[type=submit]').click();
    const input = widget.locator('textarea[part=input]');
    await input.fill('My parcel is two days late');
    await input.press('Enter');
    await expect.poll(async () => (await storedVisit(page))?.conversationId).toBeTruthy();
    const id = (await storedVisit(page))!.conversationId!;

    // Nothing to rate while it is open.
    const card = widget.locator('confab-rating');
    expect(await card.count()).toBe(0);

    // The agent signs in and opens it under Resolved once it is resolved.
    const agentContext = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const agent = await openHostPage(agentContext, server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    const inbox = agent.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('rosa');
    await inbox.locator('input[name=password]').fill('rosa-password-1');
    await inbox.locator('form.signin button[type=submit]').click();
    await expect.poll(() => inbox.locator('button.item').count()).toBe(1);

    const resolved = await server.request('POST', `/v1/support/conversations/${id}/resolve`, { token: resolver.accessToken });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await inbox.getByRole('tab', { name: 'Resolved' }).click();
    await inbox.locator('button.item', { hasText: 'Marta' }).click();
    const details = inbox.locator('aside.details');
    await expect.poll(() => details.textContent()).toContain('Marta Visitor');
    expect(await details.textContent()).not.toContain('Rating');

    // The card asks, as a radio group of five faces drawn in SVG (no emoji glyphs).
    const legend = card.locator('legend');
    await expect.poll(() => legend.textContent()).toBe('How was this conversation?');
    const radios = card.getByRole('radio');
    expect(await radios.count()).toBe(5);
    const names = await card.locator('label.face-option').evaluateAll((labels) => labels.map((l) => l.textContent?.trim()));
    expect(names).toEqual(['Terrible', 'Bad', 'Okay', 'Good', 'Great']);
    expect(await card.locator('label.face-option svg').count()).toBe(5);
    expect(EMOJI.test((await card.textContent()) ?? '')).toBe(false);
    // The composer stays below it: writing reopens the conversation.
    const cardBox = (await card.boundingBox())!;
    const composerBox = (await widget.locator('[part=composer]').boundingBox())!;
    expect(cardBox.y + cardBox.height).toBeLessThanOrEqual(composerBox.y + 1);

    // Keyboard: into the group, arrows choose 4 ("Good"); the comment and Send appear.
    await card.getByRole('radio', { name: 'Terrible' }).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => card.getByRole('radio', { name: 'Good' }).isChecked()).toBe(true);
    expect(await card.getByRole('radio', { name: 'Terrible' }).isChecked()).toBe(false);
    const comment = card.getByRole('textbox', { name: 'Tell us more (optional)' });
    await comment.fill('quick and kind');
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'rating-form');

    await card.getByRole('button', { name: 'Send rating' }).click();
    const thanks = card.locator('.thanks');
    await expect.poll(() => thanks.textContent()).toContain('Thanks for your feedback');
    expect(await thanks.textContent()).toContain('You rated it 4/5');
    expect(await thanks.getAttribute('role')).toBe('status');
    // Focus went to the thanks (the form it replaced is gone).
    await expect.poll(() => thanks.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);

    // Stored, as the API says, and shown in the inbox's visitor details at once.
    await expect.poll(async () => (await conversation(id)).rating).toMatchObject({ score: 4, comment: 'quick and kind' });
    await expect.poll(() => details.textContent()).toContain('4/5 · Good — “quick and kind”');
    await screenshot(agent, 'rating-inbox-details-desktop');
    expect(await axeFindings(agent, 'chat-inbox', { themes: ['light', 'dark'] })).toEqual([]);
    await agent.setViewportSize(VIEWPORTS.phone);
    await inbox.getByRole('button', { name: 'Visitor details' }).click();
    await expect.poll(() => details.textContent()).toContain('4/5 · Good');
    await screenshot(agent, 'rating-inbox-details-phone');

    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'rating-thanks');

    // Changing it: the form comes back with the score and comment given; a new score replaces it.
    await card.getByRole('button', { name: 'Change' }).click();
    await expect.poll(() => card.getByRole('radio', { name: 'Good' }).isChecked()).toBe(true);
    expect(await comment.inputValue()).toBe('quick and kind');
    await card.getByRole('radio', { name: 'Great' }).check();
    await card.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => thanks.textContent()).toContain('You rated it 5/5');
    await expect.poll(async () => (await conversation(id)).rating?.score).toBe(5);

    // A reload asks the server: the thanks again, not the form.
    await page.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => card.locator('.thanks').textContent()).toContain('You rated it 5/5');

    // Writing reopens it: the card goes; resolved again, it asks anew.
    await input.fill('One more thing');
    await input.press('Enter');
    await expect.poll(() => card.count()).toBe(0);
    expect((await server.request('POST', `/v1/support/conversations/${id}/resolve`, { token: resolver.accessToken })).status).toBe(200);
    await expect.poll(() => card.locator('legend').count()).toBe(1);
    expect(await card.getByRole('radio', { name: 'Great' }).isChecked()).toBe(false);

    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(agent.problems).toEqual([]);
    await context.close();
    await agentContext.close();
  });

  it('asks even when a list of conversations read before the resolve arrives after it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" theme="light"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('textarea[part=input]').count()).toBe(1);
    // From now on, every page of the visitor's rooms is read at once and handed over only after
    // the agent resolved the conversation: it says "open".
    let resolvedOnServer: () => void = () => undefined;
    const resolvedNow = new Promise<void>((resolve) => (resolvedOnServer = resolve));
    let held = 0;
    let delivered = 0;
    await context.route(
      (url) => url.pathname === '/v1/rooms',
      async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const response = await route.fetch();
        held++;
        await resolvedNow;
        await route.fulfill({ response });
        delivered++;
      },
    );
    await widget.locator('textarea[part=input]').fill('Where is my order?');
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(async () => (await storedVisit(page))?.conversationId).toBeTruthy();
    const id = (await storedVisit(page))!.conversationId!;
    // The new conversation's event made the widget read its list again: that page is on hold.
    await expect.poll(() => held).toBeGreaterThan(0);
    expect((await server.request('POST', `/v1/support/conversations/${id}/resolve`, { token: resolver.accessToken })).status).toBe(200);
    await expect.poll(() => widget.locator('confab-rating legend').count()).toBe(1);
    resolvedOnServer();
    // The old page arrives: the conversation still shows resolved, asking for the rating.
    await expect.poll(() => delivered).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    expect(await widget.locator('confab-rating legend').count()).toBe(1);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('speaks Portuguese and Spanish', async () => {
    for (const [lang, prompt, great] of [
      ['pt-BR', 'Como foi esta conversa?', 'Ótima'],
      ['es', '¿Qué tal fue esta conversación?', 'Excelente'],
    ] as const) {
      const context = await browser.newContext({ viewport: VIEWPORTS.phone });
      const page = await openHostPage(context, server, {
        body: `<chat-widget app="${tenant.id}" lang="${lang}" theme="light" require-name></chat-widget>`,
      });
      const widget = page.locator('chat-widget');
      await widget.locator('button.launcher').click();
      await widget.locator('[part=prechat] input[name=name]').fill('Ana');
      await widget.locator('[part=prechat] button[type=submit]').click();
      await widget.locator('textarea[part=input]').fill('Olá');
      await widget.locator('textarea[part=input]').press('Enter');
      await expect.poll(async () => (await storedVisit(page))?.conversationId).toBeTruthy();
      const id = (await storedVisit(page))!.conversationId!;
      expect((await server.request('POST', `/v1/support/conversations/${id}/resolve`, { token: resolver.accessToken })).status).toBe(200);
      const card = widget.locator('confab-rating');
      await expect.poll(() => card.locator('legend').textContent()).toBe(prompt);
      expect(await card.getByRole('radio', { name: great }).count()).toBe(1);
      await screenshot(page, `rating-form-phone-${lang}`);
      await context.close();
    }
  });
});
