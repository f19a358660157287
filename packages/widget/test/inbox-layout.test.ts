import type { AuthSessionDto, StartConversationResult, VisitorInfo } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  horizontalOverflow,
  launchBrowser,
  type OpenInbox,
  openInbox,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const AGENT = { username: 'lena', password: 'lena-password-1', name: 'Lena Agent' };
const PAGE_URL = 'https://shop.example.com/checkout/cart?step=2';

/** A visible element's box; fails when it is hidden. */
async function box(locator: Locator) {
  const b = await locator.boundingBox();
  expect(b, 'element is not visible').not.toBeNull();
  return b!;
}

describe('<chat-inbox> layout on desktop and phone', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let chromiumUa: string;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    agentId = (await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name)).id;
    browser = await launchBrowser();
    const probe = await browser.newPage();
    chromiumUa = await probe.evaluate(() => navigator.userAgent);
    await probe.close();

    const login = await server.request<AuthSessionDto>('POST', '/v1/auth/login', {
      app: tenant.id,
      body: { username: AGENT.username, password: AGENT.password },
    });
    expect(login.status).toBe(200);
    const agentToken = login.body.accessToken;

    // Alice, signed in by the host site with a first and a last name: an earlier conversation
    // (resolved), and today's, from Chromium, in Portuguese, in Lisbon.
    const alice = await server.member(tenant, 'alice-liddell', { name: 'Alice', lastName: 'Liddell', email: 'alice@example.com' });
    const visitor: VisitorInfo = { userAgent: chromiumUa, locale: 'pt-BR', timezone: 'Europe/Lisbon', pageUrl: PAGE_URL };
    const earlier = await start(alice, 'Last week my parcel never came.', 'alice-earlier', visitor);
    expect((await server.request('POST', `/v1/support/conversations/${earlier}/resolve`, { token: agentToken })).status).toBe(200);
    const today = await start(alice, 'Hello! I was charged twice for order #4417.', 'alice-today', visitor);
    for (const [i, text] of [
      'Both charges show on my card statement from yesterday, one at 10:02 and one at 10:03.',
      'Could you refund one of them? The order number is 4417 and the card ends in 0042. Thanks a lot!',
    ].entries()) {
      const sent = await server.request('POST', `/v1/rooms/${today}/messages`, {
        token: alice.accessToken,
        body: { clientId: `alice-${i}`, text },
      });
      expect(sent.status).toBe(201);
    }
    for (const name of ['Rita Guest', 'Sam Guest']) {
      const guest = await server.guest(tenant, name);
      await start(guest, `Hi, this is ${name}.`, `start-${name.split(' ')[0]!.toLowerCase()}`, { userAgent: 'curl/8.5.0' });
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function start(session: AuthSessionDto, text: string, clientId: string, visitor: VisitorInfo): Promise<string> {
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: session.accessToken,
      body: { text, clientId, visitor },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** The inbox filling the viewport of a page with the host's own history state, signed in. */
  async function signedIn(
    viewport: { width: number; height: number },
    /** Names the sign-in screenshots (and checks the form); none when empty. */
    shots = '',
  ): Promise<OpenInbox> {
    const opened = await openInbox(browser, server, tenant, AGENT, {
      viewport,
      async beforeSignIn(page, inbox) {
        await page.evaluate(() => history.replaceState({ host: 'kept' }, ''));
        await inbox.locator('form.signin').waitFor();
        if (!shots) return;
        expect(await inbox.locator('input[name=username]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBe(16);
        await screenshot(page, `inbox-${shots}-signin-light`);
        await page.emulateMedia({ colorScheme: 'dark' });
        await screenshot(page, `inbox-${shots}-signin-dark`);
        expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
        await page.emulateMedia({ colorScheme: 'light' });
      },
    });
    await expect.poll(() => opened.inbox.locator('button.item').count()).toBe(3);
    return opened;
  }

  const item = (inbox: Locator, name: string) => inbox.locator('button.item', { hasText: name });
  const shell = (inbox: Locator) => inbox.locator('.shell');

  it('shows three columns at 1280×800, with the visitor details parsed and the earlier conversation one click away', async () => {
    const { page, inbox, errors, context } = await signedIn(VIEWPORTS.desktop, 'desktop');

    // Nothing selected: a picture, a line and the count, not a bare sentence.
    const empty = inbox.locator('.no-selection');
    await expect.poll(() => empty.locator('h2').textContent()).toBe('Select a conversation');
    expect(await empty.locator('svg').count()).toBe(1);
    expect(await empty.locator('p').textContent()).toBe('3 open conversations');
    expect(await item(inbox, 'Alice Liddell').locator('.avatar').textContent()).toBe('AL');
    await screenshot(page, 'inbox-desktop-empty-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);

    await item(inbox, 'Alice Liddell').click();
    const details = inbox.locator('aside.details');
    await expect.poll(() => details.locator('.full-name').textContent()).toBe('Alice Liddell');
    const [list, conversation, pane] = await Promise.all([
      box(inbox.locator('nav.list')),
      box(inbox.locator('main.conversation')),
      box(details),
    ]);
    expect(list.x + list.width).toBeLessThanOrEqual(conversation.x + 1);
    expect(conversation.x + conversation.width).toBeLessThanOrEqual(pane.x + 1);
    expect(Math.min(list.width, conversation.width, pane.width)).toBeGreaterThan(240);
    expect(await inbox.locator('.back').isVisible()).toBe(false);
    expect(await inbox.locator('.details-toggle').isVisible()).toBe(false);

    // Details: browser and OS in words, the language by name, the visitor's local time, the page shortened.
    const fact = (label: string) => details.locator('.fact', { has: page.locator(`dt:text-is("${label}")`) }).locator('dd');
    expect(await fact('Browser').textContent()).toMatch(/^\s*Chrome \d+ on Linux\s*$/);
    expect(await fact('Browser').locator('[title]').getAttribute('title')).toBe(chromiumUa);
    expect(await fact('Email').textContent()).toContain('alice@example.com');
    // "Brazilian Portuguese" or "Portuguese (Brazil)", as the browser's Intl names pt-BR.
    expect(await fact('Language').textContent()).toMatch(/Brazilian Portuguese|Portuguese \(Brazil\)/);
    expect(await fact('Local time').textContent()).toMatch(/\d{1,2}:\d{2}.*\(Europe\/Lisbon\)/);
    const link = fact('Page').locator('a');
    expect(await link.getAttribute('href')).toBe(PAGE_URL);
    expect((await link.textContent())?.trim()).toBe('shop.example.com/checkout/cart?step=2');
    expect(await inbox.locator('.conv-header h2').textContent()).toBe('Alice Liddell');
    expect(await inbox.locator('.conv-header .pill').textContent()).toContain('Open');
    await expect.poll(() => inbox.locator('[part~=message]').count()).toBeGreaterThanOrEqual(3);

    // The earlier conversation, with its status and date; a click opens it.
    const previous = details.locator('.previous .prev');
    await expect.poll(() => previous.count()).toBe(1);
    expect(await previous.locator('.pill').textContent()).toContain('Resolved');
    expect(await previous.locator('time').count()).toBe(1);
    await screenshot(page, 'inbox-desktop-conversation-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);

    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-desktop-conversation-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);

    await previous.click();
    await expect.poll(() => inbox.locator('.conv-header .pill').textContent()).toContain('Resolved');
    await expect
      .poll(() => inbox.locator('[part~=message]').allTextContents())
      .toContainEqual(expect.stringContaining('parcel never came'));
    await expect.poll(() => details.locator('.previous .prev .pill').allTextContents()).toEqual([expect.stringContaining('Open')]);
    await screenshot(page, 'inbox-desktop-previous-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(errors).toEqual([]);
    expect(page.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows one column at a time at 375×667: list → conversation → details and back, by the back control and the browser', async () => {
    const { page, inbox, errors, context } = await signedIn(VIEWPORTS.phone, 'phone');
    const startLength = await page.evaluate(() => history.length);
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('list');
    expect(await inbox.locator('main.conversation').isVisible()).toBe(false);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-phone-list-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-phone-list-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // Into the conversation: the list gives way, the composer has room and Send is on screen.
    await item(inbox, 'Alice Liddell').click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('conversation');
    expect(await inbox.locator('nav.list').isVisible()).toBe(false);
    expect(await page.evaluate(() => history.length)).toBe(startLength + 1);
    const composer = inbox.locator('[part~=composer]');
    const input = inbox.locator('textarea[part=input]');
    const send = inbox.locator('[part~=send-button]');
    await expect.poll(async () => (await composer.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(250);
    const sendBox = await box(send);
    expect(sendBox.x).toBeGreaterThanOrEqual(0);
    expect(sendBox.x + sendBox.width).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    expect(sendBox.y + sendBox.height).toBeLessThanOrEqual(VIEWPORTS.phone.height);
    expect(await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(16);
    expect((await box(input)).width).toBeGreaterThan(150);
    for (const action of ['Claim', 'Resolve']) {
      const b = await box(inbox.getByRole('button', { name: action, exact: true }));
      expect(b.x + b.width, action).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    }
    await expect.poll(() => inbox.locator('[part~=message]').count()).toBeGreaterThanOrEqual(3);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-phone-conversation-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);

    // The composer works: a reply goes out.
    await input.fill('Sorry about that, Alice: I am refunding the second charge now.');
    await send.click();
    await expect.poll(() => inbox.locator('[part~=message][part~=mine]').last().textContent()).toContain('refunding the second charge');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-phone-conversation-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // Details, from the header; its own back control returns to the conversation.
    await inbox.locator('.details-toggle').click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('details');
    const details = inbox.locator('aside.details');
    expect(await details.locator('.full-name').textContent()).toBe('Alice Liddell');
    expect(await details.textContent()).toMatch(/Chrome \d+ on Linux/);
    expect(await inbox.locator('main.conversation').isVisible()).toBe(false);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-phone-details-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-phone-details-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await details.getByRole('button', { name: 'Back to the conversation' }).click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('conversation');

    // The header's back control returns to the list, the conversation it came from in focus.
    await inbox.getByRole('button', { name: 'Back to conversations' }).click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('list');
    expect(await inbox.locator('nav.list').isVisible()).toBe(true);
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            document.querySelector('chat-inbox')?.shadowRoot?.querySelector('confab-inbox-app')?.shadowRoot?.activeElement?.textContent ??
            '',
        ),
      )
      .toContain('Alice Liddell');
    expect(await page.evaluate(() => history.state)).toEqual({ host: 'kept' });

    // The browser's back button does the same; the host page's own entry and state are untouched.
    await item(inbox, 'Alice Liddell').click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('conversation');
    await page.goBack();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('list');
    expect(await page.evaluate(() => history.state)).toEqual({ host: 'kept' });
    expect(page.url()).toBe(`${server.url}/inbox.html`);
    expect(await page.evaluate(() => history.length)).toBe(startLength + 1);
    expect(errors).toEqual([]);
    expect(page.problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("collapses the details into a toggle between 720 and 1100 px, in the list's place; Escape closes them and focus returns", async () => {
    const { page, inbox, errors, context } = await signedIn({ width: 900, height: 700 });
    await item(inbox, 'Alice Liddell').click();
    await expect.poll(() => inbox.locator('.conv-header h2').textContent()).toBe('Alice Liddell');
    expect(await inbox.locator('aside.details').count()).toBe(0);
    expect(await inbox.locator('nav.list').isVisible()).toBe(true);
    const toggle = inbox.locator('.details-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await expect.poll(() => inbox.locator('aside.details .full-name').textContent()).toBe('Alice Liddell');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    // The details take the list's place: the composer keeps its room, nothing covers Send.
    expect(await inbox.locator('nav.list').isVisible()).toBe(false);
    const send = await box(inbox.locator('[part~=send-button]'));
    expect(send.x + send.width).toBeLessThanOrEqual((await box(inbox.locator('aside.details'))).x);
    expect((await box(inbox.locator('[part~=composer]'))).width).toBeGreaterThanOrEqual(250);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-medium-details-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => inbox.locator('aside.details').count()).toBe(0);
    expect(await inbox.locator('nav.list').isVisible()).toBe(true);
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            document.querySelector('chat-inbox')?.shadowRoot?.querySelector('confab-inbox-app')?.shadowRoot?.activeElement?.className ?? '',
        ),
      )
      .toContain('details-toggle');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('keeps the reconnecting banner above the conversation at 375 px while the connection is down', async () => {
    const { page, inbox, context } = await signedIn(VIEWPORTS.phone);
    await item(inbox, 'Rita Guest').click();
    await expect.poll(() => shell(inbox).getAttribute('data-view')).toBe('conversation');
    await expect.poll(() => inbox.locator('[part~=message]').allTextContents()).toContainEqual(expect.stringContaining('this is Rita'));
    const banner = inbox.locator('.banner[role=status]');
    expect(await banner.count()).toBe(0);
    await page.route('**/socket.io/**', (route) => route.abort());
    server.app.io.in(`user:${agentId}`).disconnectSockets(true);
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('Reconnecting');
    const b = await box(banner);
    expect(b.y).toBeLessThan((await box(inbox.locator('.conv-header'))).y);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-phone-reconnecting-light');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-phone-reconnecting-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.unroute('**/socket.io/**');
    await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
    await context.close();
  }, 60_000);
});
