import type { MessageDto, PageDto, SupportInboxItemDto } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../../packages/server/src/db/models/index.js';
import { launchBrowser, startTestServer, type TestServer } from '../../../packages/widget/test/helpers/browser.js';
import { type RunningExample, startExample, watchForProblems } from './helpers/example-server.js';

// The colours public/theme.css gives the widget, as getComputedStyle reports them.
const ACCENT = 'rgb(15, 118, 110)';
const PANEL_BG = 'rgb(255, 253, 248)';
const HEADER_BG = 'rgb(19, 78, 74)';

const style = (locator: Locator, property: string) => locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);

describe('examples/host-page: a static site embedding the widget from another origin', () => {
  let server: TestServer;
  let tenant: App;
  let site: RunningExample;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    // The example's server listens on an ephemeral port of 127.0.0.1: a different origin than Confab's.
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    site = await startExample(new URL('../', import.meta.url), { CONFAB_URL: server.url, CONFAB_APP: tenant.id });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await server?.close();
  });

  async function openSite() {
    const page = await (await browser.newContext()).newPage();
    const problems = await watchForProblems(page);
    await page.goto(`${site.url}/`);
    return { page, problems };
  }

  it('renders the page for the configured server and app under a CSP without unsafe-inline', async () => {
    const res = await fetch(`${site.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`script-src 'self' ${server.url};`);
    expect(csp).toContain(`connect-src ${server.url} ${server.url.replace(/^http/, 'ws')};`);
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    expect(html).toContain(`<script type="module" src="${server.url}/widget.js"></script>`);
    expect(html).toContain(`<chat-widget app="${tenant.id}"`);
    expect(html).not.toContain('{{');
    expect((await fetch(`${site.url}/theme.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('does not serve files outside its public folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/serve.mjs', '/..%2fstatic-server.mjs']) {
      expect((await fetch(`${site.url}${path}`)).status, path).toBe(404);
    }
  });

  it('shows the launcher in the site theme, with widget.js from the Confab origin and no CSP violation', async () => {
    const { page, problems } = await openSite();
    expect(new URL(page.url()).origin).not.toBe(new URL(server.url).origin);
    const launcher = page.locator('chat-widget [part~=launcher]');
    await launcher.waitFor();
    expect(await style(launcher, 'background-color')).toBe(ACCENT);
    expect(await style(launcher, 'border-top-left-radius')).toBe('16px');
    expect(await problems()).toEqual([]);
    await page.context().close();
  });

  it('stores on the server the message a visitor sends from the themed panel', async () => {
    const { page, problems } = await openSite();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const widget = page.locator('chat-widget');
    await widget.locator('[part~=launcher]').click();
    const panel = widget.locator('[part~=panel]');
    await panel.waitFor();
    expect(await style(panel, 'background-color')).toBe(PANEL_BG);
    expect(await style(widget.locator('[part~=header]'), 'background-color')).toBe(HEADER_BG);
    expect(await style(widget.locator('[part~=send-button]'), 'text-transform')).toBe('uppercase');

    const input = widget.locator('textarea[part~=input]');
    await input.fill('Do you ship beans to Lisbon?');
    await input.press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').last().getAttribute('data-status')).toBe('sent');

    // An agent of the app finds the conversation and the message in the server's records.
    const agent = await server.member(tenant, 'lead-agent', { role: 'agent' });
    const inbox = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: agent.accessToken });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    const [conversation] = inbox.body.items;
    if (!conversation) throw new Error('The inbox lists no conversation');
    const history = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${conversation.id}/messages`, {
      token: agent.accessToken,
    });
    expect(history.status).toBe(200);
    expect(history.body.items.map((m) => m.text)).toContain('Do you ship beans to Lisbon?');

    // The socket upgraded to the WebSocket form the policy allows, and nothing was refused on the way.
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/socket.io/`;
    await expect.poll(() => sockets.some((url) => url.startsWith(wsUrl))).toBe(true);
    expect(await problems()).toEqual([]);
    await page.context().close();
  });
});
