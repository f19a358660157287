import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

import type { App } from '../../../server/src/db/models/index.js';
import { User } from '../../../server/src/db/models/index.js';
import { hashPassword } from '../../../server/src/services/auth/passwords.js';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.js';

export { startTestServer, type TestServer };
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The policy of the issue: no inline script, same-origin connections (styles fall under default-src). */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:;";

if (!existsSync(CHROMIUM)) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
      // Host pages are fulfilled by Playwright (no address of their own), so Chromium counts them as
      // public pages and refuses their WebSocket to the loopback server; real pages are not affected.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
}

/** A support agent who signs in with a password. */
export async function createAgent(server: TestServer, tenant: App, username: string, password: string, name = username): Promise<User> {
  return User.query(server.db).insert({
    appId: tenant.id,
    kind: 'member',
    role: 'agent',
    username,
    name,
    passwordHash: await hashPassword(password),
  });
}

export interface HostPageOptions {
  /** The page's body (the widget script is added to the head). */
  body: string;
  /** Content-Security-Policy header; none when null. */
  csp?: string | null;
  path?: string;
}

/**
 * Opens a host page on the test server's origin (served by Playwright, so the page, widget.js and
 * the API share the origin that the CSP's 'self' means). Records CSP violations, dialogs and
 * page errors on `page.problems`.
 */
export async function openHostPage(context: BrowserContext, server: TestServer, options: HostPageOptions): Promise<HostPage> {
  const path = options.path ?? '/host.html';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title>
<script type="module" src="/widget.js"></script></head><body>${options.body}</body></html>`;
  await context.route(`${server.url}${path}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: options.csp === null ? {} : { 'content-security-policy': options.csp ?? STRICT_CSP },
      body: html,
    }),
  );
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}${path}`);
  return Object.assign(page, { problems });
}

export type HostPage = Page & { problems: string[] };

/** CSP violations the page reported (from the securitypolicyviolation event). */
export function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

/** The session the SDK keeps in localStorage (under the widget's key + `:session`), or null. */
export function storedSession(
  page: Page,
): Promise<{ user: { id: string; kind: string; name: string | null; externalId?: string | null }; refreshToken: string } | null> {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith(':session'));
    return key ? JSON.parse(localStorage.getItem(key)!).session : null;
  });
}

/** What the widget keeps about the visit beside the session (the conversation id), or null. */
export function storedVisit(page: Page): Promise<{ conversationId?: string } | null> {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('confab:widget:') && !k.endsWith(':session'));
    return key ? JSON.parse(localStorage.getItem(key)!) : null;
  });
}

/** Where browser tests save what they show: look at these before calling a visible change done. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../../test-results/screenshots/', import.meta.url));

/** Saves a PNG of the page (or one element) as `test-results/screenshots/<name>.png`; returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await target.screenshot({ path });
  return path;
}

/** The phone and desktop sizes every visible state is checked at. */
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 667 } } as const;

/** Records every console error and failed request of the page (a favicon 404 counts). */
export function recordConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
  });
  return errors;
}

/** Saves the page at every size of VIEWPORTS, light and dark, as `<name>-<size>-<theme>`; leaves it at desktop size, light. */
export async function screenshotThemes(page: Page, element: Locator, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    for (const theme of ['light', 'dark']) {
      await element.evaluate((el, t) => el.setAttribute('theme', t), theme);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await screenshot(page, `${name}-${size}-${theme}`);
    }
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await element.evaluate((el) => el.setAttribute('theme', 'light'));
}

export interface InboxOptions {
  viewport?: { width: number; height: number };
  lang?: string;
  /** Runs before the agent fills the sign-in form (to look at it, or to set the host page's own state). */
  beforeSignIn?: (page: HostPage, inbox: Locator) => Promise<void>;
}

export interface OpenInbox {
  context: BrowserContext;
  page: HostPage;
  inbox: Locator;
  /** Console errors and failed requests of the page (see recordConsoleErrors). */
  errors: string[];
}

/**
 * Opens `<chat-inbox>` filling the viewport of a host page under the strict CSP, in a context of its
 * own, and submits the agent's sign-in; the caller waits for what it needs next.
 */
export async function openInbox(
  browser: Browser,
  server: TestServer,
  tenant: App,
  agent: { username: string; password: string },
  options: InboxOptions = {},
): Promise<OpenInbox> {
  const context = await browser.newContext({ viewport: options.viewport ?? VIEWPORTS.desktop });
  const page = await openHostPage(context, server, {
    path: '/inbox.html',
    body: `<chat-inbox app="${tenant.id}" lang="${options.lang ?? 'en'}"></chat-inbox>`,
  });
  const errors = recordConsoleErrors(page);
  await page.evaluate(() => {
    // Through the CSSOM: the strict CSP refuses style attributes and inline style sheets.
    document.body.style.margin = '0';
    (document.querySelector('chat-inbox') as HTMLElement).style.height = '100dvh';
  });
  const inbox = page.locator('chat-inbox');
  await options.beforeSignIn?.(page, inbox);
  await inbox.locator('form.signin input[name=username]').fill(agent.username);
  await inbox.locator('form.signin input[name=password]').fill(agent.password);
  await inbox.locator('form.signin button[type=submit]').click();
  return { context, page, inbox, errors };
}

/**
 * Horizontal overflow: the document or the element scrolls sideways, or a visible element inside it
 * (through its shadow roots) reaches past the right edge of the viewport.
 */
export function horizontalOverflow(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const found: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) found.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`);
    const host = document.querySelector(selector)!;
    if (host.scrollWidth > host.clientWidth) found.push(`${selector} ${host.scrollWidth} > ${host.clientWidth}`);
    const width = window.innerWidth;
    const walk = (root: ParentNode) => {
      for (const el of root.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.height > 0 && box.right > width + 0.5) {
          found.push(`${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '')} right ${Math.round(box.right)} > ${width}`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(host.shadowRoot!);
    return found;
  }, selector);
}

/** The text of the element and of every shadow root inside it (what a page could show, hidden or not). */
export function deepText(element: Locator): Promise<string> {
  return element.evaluate((el) => {
    const walk = (node: Element | ShadowRoot): string =>
      [...node.querySelectorAll('*')].map((e) => (e.shadowRoot ? `${e.shadowRoot.textContent} ${walk(e.shadowRoot)}` : '')).join(' ');
    return `${el.textContent} ${el.shadowRoot?.textContent ?? ''} ${walk(el.shadowRoot ?? el)}`;
  });
}

/** Whether the message is focused and inside the visible scroll area of the inbox's thread (a search result opened at it). */
export function revealedInThread(inbox: Locator, id: string): Promise<boolean> {
  return inbox.locator('confab-thread').evaluate((thread, messageId) => {
    const root = thread.shadowRoot!;
    const el = root.querySelector(`[data-id="${messageId}"]`);
    const scroller = root.querySelector('.scroller');
    if (!el || !scroller) return false;
    const a = el.getBoundingClientRect();
    const b = scroller.getBoundingClientRect();
    return root.activeElement === el && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  }, id);
}
