import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, PageDto, SupportInboxItemDto } from '@confab/protocol';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { itemAt } from '../../server/test/helpers/items.js';
import { axeScan } from './helpers/axe.js';
import {
  createAgent,
  type HostPage,
  launchBrowser,
  openHostPage,
  startTestServer,
  type TestServer,
  violations,
} from './helpers/browser.js';
import { luminance } from './helpers/colour.js';

const AGENT = { username: 'ana', password: 'correct horse battery', name: 'Ana Agent' };

interface Focused {
  tag: string;
  part: string | null;
  className: string;
  name: string | null;
  dataId: string | null;
}

/** The element that really has focus: document.activeElement, then down through open shadow roots. */
function deepActive(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      part: el.getAttribute('part'),
      className: typeof el.className === 'string' ? el.className : '',
      name: el.getAttribute('name'),
      dataId: el.getAttribute('data-id'),
    };
  });
}

const isLauncher = (f: Focused | null) => f?.tag === 'button' && f.className.split(/\s+/).includes('launcher');
const isInput = (f: Focused | null) => f?.tag === 'textarea' && f.part === 'input';
const isMessageList = (f: Focused | null) => f?.part === 'messages';
const isMessage = (f: Focused | null) => (f?.part ?? '').split(/\s+/).includes('message');

/** Presses `key` until `done(focused)` holds (at most `max` times); returns what got focus on the way. */
async function pressUntil(page: Page, key: string, done: (f: Focused | null) => boolean, max = 12): Promise<(Focused | null)[]> {
  const path: (Focused | null)[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const focused = await deepActive(page);
    path.push(focused);
    if (done(focused)) break;
  }
  return path;
}

const describePath = (path: (Focused | null)[]) =>
  path
    .map((f) =>
      f ? `${f.tag}${f.part ? `[part=${f.part}]` : ''}${f.className ? `.${f.className.trim().replace(/\s+/g, '.')}` : ''}` : 'body',
    )
    .join(' → ');

/** Records the widget's public events from the start of every page of the context. */
async function recordEvents(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __events: { type: string; bubbles: boolean; composed: boolean }[] };
    w.__events = [];
    for (const type of ['chat-ready', 'chat-open', 'chat-close', 'chat-message', 'chat-error']) {
      document.addEventListener(type, (e) => w.__events.push({ type: e.type, bubbles: e.bubbles, composed: e.composed }));
    }
  });
}

function events(page: Page): Promise<{ type: string; bubbles: boolean; composed: boolean }[]> {
  return page.evaluate(() => (window as unknown as { __events: { type: string; bubbles: boolean; composed: boolean }[] }).__events);
}

describe('accessibility of <chat-widget> and <chat-inbox>', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A tenant of its own per test, with one password agent. */
  async function tenantWithAgent(): Promise<App> {
    const tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
    return tenant;
  }

  async function signInAgent(context: BrowserContext, tenant: App): Promise<{ page: HostPage; inbox: Locator }> {
    const page = await openHostPage(context, server, { path: '/inbox.html', body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    const inbox = page.locator('chat-inbox');
    await inbox.locator('form.signin input[name=username]').fill(AGENT.username);
    await inbox.locator('form.signin input[name=password]').fill(AGENT.password);
    await inbox.locator('form.signin button[type=submit]').click();
    return { page, inbox };
  }

  it('works with the keyboard alone: Tab to the launcher, Enter opens, Enter sends, arrows walk the messages, Escape closes', async () => {
    const tenant = await tenantWithAgent();
    const context = await browser.newContext();
    await recordEvents(context);
    const page = await openHostPage(context, server, {
      body: `<a href="#main">Skip to content</a><main id="main"><h1>Shop</h1><button type="button">Add to cart</button></main>
<chat-widget app="${tenant.id}"></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').waitFor();

    // Tab through the page until the launcher has focus.
    const toLauncher = await pressUntil(page, 'Tab', isLauncher);
    expect(isLauncher(toLauncher.at(-1) ?? null), `Tab order: ${describePath(toLauncher)}`).toBe(true);
    expect(await widget.locator('button.launcher').getAttribute('aria-expanded')).toBe('false');

    // Enter opens the panel, and focus moves into it: the message box (no pre-chat form here).
    await page.keyboard.press('Enter');
    await expect.poll(() => widget.locator('[part=panel][role=dialog]').count()).toBe(1);
    expect(await widget.locator('button.launcher').getAttribute('aria-expanded')).toBe('true');
    await expect.poll(async () => isInput(await deepActive(page)), { timeout: 10_000 }).toBe(true);

    // Type and send two messages with Enter.
    await page.keyboard.type('Hello from the keyboard');
    await page.keyboard.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.allTextContents()).toEqual([expect.stringContaining('Hello from the keyboard')]);
    await expect.poll(async () => isInput(await deepActive(page))).toBe(true);
    await page.keyboard.type('Order 1234');
    await page.keyboard.press('Enter');
    await expect.poll(() => mine.count()).toBe(2);
    await expect.poll(() => mine.last().getAttribute('data-status')).toBe('sent');
    expect(await widget.locator('textarea[part=input]').inputValue()).toBe('');

    // Shift+Tab goes back to the message list; the arrow keys, Home and End move between messages.
    const toList = await pressUntil(page, 'Shift+Tab', isMessageList);
    expect(isMessageList(toList.at(-1) ?? null), `Shift+Tab order: ${describePath(toList)}`).toBe(true);
    const ids = await widget.locator('[part=messages] [part~=message]').evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('ArrowUp');
    const last = await deepActive(page);
    expect(isMessage(last), `ArrowUp focused ${JSON.stringify(last)}`).toBe(true);
    expect(last?.dataId).toBe(ids.at(-1));
    await page.keyboard.press('ArrowUp');
    expect((await deepActive(page))?.dataId).toBe(ids.at(-2));
    await page.keyboard.press('ArrowDown');
    expect((await deepActive(page))?.dataId).toBe(ids.at(-1));
    await page.keyboard.press('Home');
    expect((await deepActive(page))?.dataId).toBe(ids[0]);
    await page.keyboard.press('End');
    expect((await deepActive(page))?.dataId).toBe(ids.at(-1));

    // Escape closes the panel; focus is back on the launcher.
    await page.keyboard.press('Escape');
    await expect.poll(() => widget.locator('[part=panel]').count()).toBe(0);
    await expect.poll(async () => isLauncher(await deepActive(page))).toBe(true);
    expect(await widget.locator('button.launcher').getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.querySelector('chat-widget')!.hasAttribute('open'))).toBe(false);

    const fired = await events(page);
    expect(fired.filter((e) => e.type === 'chat-open')).toEqual([{ type: 'chat-open', bubbles: true, composed: true }]);
    expect(fired.filter((e) => e.type === 'chat-close')).toEqual([{ type: 'chat-close', bubbles: true, composed: true }]);
    expect(fired.filter((e) => e.type === 'chat-error')).toEqual([]);
    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('moves focus to the pre-chat form and then to the message box, all from the keyboard', async () => {
    const tenant = await tenantWithAgent();
    const context = await browser.newContext();
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" require-name></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').waitFor();

    const toLauncher = await pressUntil(page, 'Tab', isLauncher);
    expect(isLauncher(toLauncher.at(-1) ?? null), `Tab order: ${describePath(toLauncher)}`).toBe(true);
    await page.keyboard.press('Enter');
    await expect
      .poll(
        async () => {
          const f = await deepActive(page);
          return f && `${f.tag}[name=${f.name}]`;
        },
        { timeout: 5_000 },
      )
      .toBe('input[name=name]');

    // Enter without a name keeps the form, says why, and keeps focus on the field.
    await page.keyboard.press('Enter');
    await expect.poll(() => widget.locator('[part=prechat] [role=alert]').textContent()).toContain('Name');
    expect((await deepActive(page))?.name).toBe('name');

    // Submitting the form shows the conversation and puts focus in the message box (not on the page's body).
    await page.keyboard.type('Maria Visitor');
    await page.keyboard.press('Enter');
    await expect.poll(() => widget.locator('textarea[part=input]').count(), { timeout: 5_000 }).toBe(1);
    expect(await widget.locator('[part=prechat]').count()).toBe(0);
    await expect.poll(async () => describePath([await deepActive(page)]), { timeout: 5_000 }).toBe('textarea[part=input]');

    await page.keyboard.press('Escape');
    await expect.poll(() => widget.locator('[part=panel]').count()).toBe(0);
    await expect.poll(async () => isLauncher(await deepActive(page))).toBe(true);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  describe('axe-core finds no serious or critical violations', () => {
    let visitorContext: BrowserContext;
    let agentContext: BrowserContext;
    let visitor: HostPage;
    let agent: HostPage;
    let widget: Locator;
    let inbox: Locator;

    /** A conversation with a visitor message and an agent reply, open on both sides. */
    beforeAll(async () => {
      const tenant = await tenantWithAgent();
      visitorContext = await browser.newContext({ bypassCSP: true });
      agentContext = await browser.newContext({ bypassCSP: true });
      visitor = await openHostPage(visitorContext, server, {
        body: `<main><h1>Shop</h1></main><chat-widget app="${tenant.id}" theme="light" require-name></chat-widget>`,
      });
      widget = visitor.locator('chat-widget');
      await widget.locator('button.launcher').click();
      await widget.locator('[part=prechat] input[name=name]').fill('Maria Visitor');
      await widget.locator('[part=prechat] button[type=submit]').click();
      const input = widget.locator('textarea[part=input]');
      await input.fill('Hello, my order has not arrived');
      await input.press('Enter');
      // (expect.poll is for tests only: hooks wait with Playwright.)
      await widget.locator('[part~=message][part~=mine]').filter({ hasText: 'Hello, my order has not arrived' }).waitFor();

      ({ page: agent, inbox } = await signInAgent(agentContext, tenant));
      await inbox.locator('button.item').filter({ hasText: 'Maria Visitor' }).click();
      await inbox.getByRole('button', { name: 'Claim' }).click();
      await inbox.locator('button.item .assignee').filter({ hasText: AGENT.name }).waitFor();
      const agentInput = inbox.locator('textarea[part=input]');
      await agentInput.fill('Let me check that for you.');
      await agentInput.press('Enter');
      await widget.locator('[part~=message][part~=theirs]').filter({ hasText: 'Let me check that for you.' }).waitFor();
      await inbox.locator('[part~=message][part~=mine]').filter({ hasText: 'Let me check that for you.' }).waitFor();

      // Meanwhile a second visitor writes in: the list also shows a conversation with an unread count.
      const second = await server.guest(tenant, 'Second Visitor');
      const started = await server.request('POST', '/v1/support/conversations', {
        token: second.accessToken,
        body: { clientId: randomUUID(), text: 'Do you ship abroad?' },
      });
      if (started.status !== 201) throw new Error(`starting a conversation failed: ${started.status} ${JSON.stringify(started.body)}`);
      await inbox.locator('button.item').filter({ hasText: 'Second Visitor' }).locator('.unread').waitFor();
    });

    afterAll(async () => {
      await visitorContext?.close();
      await agentContext?.close();
    });

    const panelBg = () => widget.locator('[part=panel]').evaluate((el) => getComputedStyle(el).backgroundColor);

    it('in the open widget with a conversation, theme="light" (colour contrast included)', async () => {
      await widget.evaluate((el) => el.setAttribute('theme', 'light'));
      await expect.poll(async () => luminance(await panelBg())).toBeGreaterThan(0.8);
      const scan = await axeScan(visitor, 'chat-widget');
      expect(scan.contrastChecked, 'axe checked the contrast of too few elements in the widget').toBeGreaterThan(5);
      expect(scan.findings, 'widget, light: serious/critical axe violations').toEqual([]);
      expect(visitor.problems).toEqual([]);
    });

    it('in the open widget with a conversation, theme="dark" (colour contrast included)', async () => {
      await widget.evaluate((el) => el.setAttribute('theme', 'dark'));
      await expect.poll(async () => luminance(await panelBg())).toBeLessThan(0.1);
      const scan = await axeScan(visitor, 'chat-widget');
      expect(scan.contrastChecked, 'axe checked the contrast of too few elements in the widget').toBeGreaterThan(5);
      expect(scan.findings, 'widget, dark: serious/critical axe violations').toEqual([]);
      expect(visitor.problems).toEqual([]);
    });

    it('in the signed-in inbox with the conversation selected (and another one unread)', async () => {
      expect(await inbox.locator('button.item[aria-current=true]').allTextContents()).toEqual([expect.stringContaining('Maria Visitor')]);
      expect(await inbox.locator('button.item .unread').allTextContents()).toEqual(['1']);
      const scan = await axeScan(agent, 'chat-inbox');
      expect(scan.contrastChecked, 'axe checked the contrast of too few elements in the inbox').toBeGreaterThan(5);
      expect(scan.findings, 'inbox: serious/critical axe violations').toEqual([]);
      expect(agent.problems).toEqual([]);
    });
  });

  it('announces an incoming reply in a polite aria-live region', async () => {
    const tenant = await tenantWithAgent();
    const context = await browser.newContext();
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const input = widget.locator('textarea[part=input]');
    await input.fill('Is anyone there?');
    await input.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.getAttribute('data-status')).toBe('sent');

    // Nothing from the team is announced yet.
    const polite = widget.locator('[aria-live=polite]');
    expect(await polite.count()).toBeGreaterThan(0);
    expect((await polite.allTextContents()).join(' | ')).not.toContain('Yes, Ana here');

    // The agent answers (through the API).
    const login = await server.request<AuthSessionDto>('POST', '/v1/auth/login', {
      app: tenant.id,
      body: { username: AGENT.username, password: AGENT.password },
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken;
    const list = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const sent = await server.request('POST', `/v1/rooms/${itemAt(list.body.items, 0).id}/messages`, {
      token,
      body: { clientId: randomUUID(), text: 'Yes, Ana here. How can I help?' },
    });
    expect(sent.status).toBe(201);

    await expect
      .poll(() => widget.locator('[part~=message][part~=theirs]').allTextContents())
      .toEqual([expect.stringContaining('Yes, Ana here. How can I help?')]);
    await expect.poll(() => polite.allTextContents()).toContainEqual(expect.stringContaining('Yes, Ana here. How can I help?'));
    expect(page.problems).toEqual([]);
    await context.close();
  });
});
