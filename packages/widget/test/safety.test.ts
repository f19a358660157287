import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { createAgent, launchBrowser, openHostPage, startTestServer, STRICT_CSP, type TestServer, violations } from './helpers/browser.js';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  'click javascript:alert(2) for a prize',
  'see https://example.com/a?b=1 and <a href="javascript:alert(3)">x</a>',
];

interface Snapshot {
  /** `img[src=x]` anywhere in the document or any shadow root. */
  injectedImages: number;
  /** Elements that carry an inline event handler attribute (`onerror`, `onclick`, ...). */
  handlerAttributes: string[];
  /** Any `href`/`src`/`action` that is not http(s) or same-page. */
  scriptUrls: string[];
  /** The text of each message bubble, in order. */
  texts: string[];
  /** Every `<a>` inside a message. */
  links: { href: string; text: string; rel: string[]; target: string }[];
}

/** Walks the document and every open shadow root inside it. */
function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const describe = (el: Element) => `<${el.localName} ${[...el.attributes].map((a) => `${a.name}="${a.value}"`).join(' ')}>`;
    return {
      injectedImages: all.filter((el) => el.matches('img[src=x]')).length,
      handlerAttributes: all.filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).map(describe),
      scriptUrls: all
        .flatMap((el) => ['href', 'src', 'action', 'formaction'].map((name) => el.getAttribute(name)))
        .filter((value): value is string => value !== null && /^\s*(javascript|data|vbscript):/i.test(value)),
      texts: all
        .filter((el) => el.matches('[part~=message]:not([part~=greeting]):not([part~=system])'))
        .map((el) => el.querySelector('.bubble .text')?.textContent ?? '<no text>'),
      links: all
        .filter((el): el is HTMLAnchorElement => el.localName === 'a' && el.closest('[part~=message]') !== null)
        .map((a) => ({ href: a.getAttribute('href') ?? '', text: a.textContent ?? '', rel: a.rel.split(/\s+/), target: a.target })),
    };
  });
}

function expectSafe(snap: Snapshot): void {
  expect(snap.texts).toEqual(HOSTILE);
  expect(snap.injectedImages).toBe(0);
  expect(snap.handlerAttributes).toEqual([]);
  expect(snap.scriptUrls).toEqual([]);
  // The one real URL becomes the only link, opened safely in a new tab.
  expect(snap.links).toEqual([
    {
      href: 'https://example.com/a?b=1',
      text: 'https://example.com/a?b=1',
      rel: expect.arrayContaining(['noopener', 'noreferrer']),
      target: '_blank',
    },
  ]);
  for (const link of snap.links) expect(new URL(link.href).protocol).toMatch(/^https?:$/);
}

describe('message text is never markup, under a strict CSP', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'sam', 'purple monkey dishwasher', 'Sam Agent');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows hostile text literally, links only http(s) URLs, and stores nothing before the chat is opened', async () => {
    const visitorContext = await browser.newContext();
    const agentContext = await browser.newContext();
    const requests: string[] = [];
    visitorContext.on('request', (req) => requests.push(new URL(req.url()).pathname));
    const sockets: string[] = [];
    visitorContext.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
    const visitor = await openHostPage(visitorContext, server, {
      body: `<h1>Shop</h1><chat-widget app="${tenant.id}" require-name></chat-widget>`,
      csp: STRICT_CSP,
    });
    const widget = visitor.locator('chat-widget');
    await widget.locator('button.launcher').waitFor();

    // Before the launcher is clicked: no cookie, nothing stored, no API call and no socket.
    expect(await visitor.evaluate(() => document.cookie)).toBe('');
    expect(await visitor.evaluate(() => [Object.keys(localStorage), Object.keys(sessionStorage)])).toEqual([[], []]);
    expect(requests.filter((path) => path.startsWith('/v1'))).toEqual([]);
    expect(sockets).toEqual([]);

    await widget.locator('button.launcher').click();
    await widget.locator('[part=prechat] input[name=name]').fill('Mallory');
    await widget.locator('[part=prechat] button[type=submit]').click();
    const input = widget.locator('textarea[part=input]');
    const mine = widget.locator('[part~=message][part~=mine]');
    for (const [i, text] of HOSTILE.entries()) {
      await input.fill(text);
      await input.press('Enter');
      await expect.poll(() => mine.count()).toBe(i + 1);
      await expect.poll(() => mine.nth(i).getAttribute('data-status')).toMatch(/^(sent|delivered|read)$/);
    }
    expect(await widget.locator('[part~=message][part~=mine] .bubble .text').allTextContents()).toEqual(HOSTILE);
    expectSafe(await snapshot(visitor));

    // The agent sees the same, literally.
    const agent = await openHostPage(agentContext, server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>`, csp: STRICT_CSP });
    const inbox = agent.locator('chat-inbox');
    await inbox.locator('input[name=username]').fill('sam');
    await inbox.locator('input[name=password]').fill('purple monkey dishwasher');
    await inbox.locator('form.signin button[type=submit]').click();
    const items = inbox.locator('button.item');
    await expect.poll(() => items.count()).toBe(1);
    // The list preview is text too.
    expect(await items.first().locator('.preview').textContent()).toBe(HOSTILE[2]);
    await items.first().click();
    const theirs = inbox.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.count()).toBe(HOSTILE.length);
    expect(await theirs.locator('.bubble .text').allTextContents()).toEqual(HOSTILE);
    expectSafe(await snapshot(agent));

    // Clicking the real link opens a new tab without an opener (not the host page navigating).
    await agentContext.route('https://example.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>elsewhere</p>' }),
    );
    const [popup] = await Promise.all([agentContext.waitForEvent('page'), inbox.locator('[part~=message] a[href^="https:"]').click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe('https://example.com/a?b=1');
    expect(await popup.evaluate(() => [window.opener, document.referrer])).toEqual([null, '']);
    await popup.close().catch(() => undefined);
    expect(agent.url()).toBe(`${server.url}/host.html`);

    // (The recorders above do see the widget's traffic once it is opened.)
    expect(requests).toContain('/v1/support/conversations');
    expect(sockets.length).toBeGreaterThan(0);

    // The server never set a cookie; nothing ran, nothing was blocked.
    expect(await visitorContext.cookies()).toEqual([]);
    expect(await agentContext.cookies()).toEqual([]);
    expect(visitor.problems).toEqual([]);
    expect(agent.problems).toEqual([]);
    expect(await violations(visitor)).toEqual([]);
    expect(await violations(agent)).toEqual([]);
    await visitorContext.close();
    await agentContext.close();
  });
});
