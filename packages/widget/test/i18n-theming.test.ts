import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { launchBrowser, openHostPage, startTestServer, type TestServer, violations } from './helpers/browser.js';
import { luminance } from './helpers/colour.js';

/** The element's public methods (the widget's own types are not loaded in Node). */
interface ChatWidgetApi {
  open(): void;
  close(): void;
  toggle(): void;
}

function style(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
}

/** Records the widget's public events from the start of every page of the context. */
async function recordEvents(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __events: { type: string; bubbles: boolean; composed: boolean; target: string }[] };
    w.__events = [];
    for (const type of ['chat-ready', 'chat-open', 'chat-close', 'chat-error']) {
      window.addEventListener(type, (e) =>
        w.__events.push({
          type: e.type,
          bubbles: e.bubbles,
          composed: e.composed,
          target: (e.target as Element).id || (e.target as Element).tagName,
        }),
      );
    }
  });
}

function events(page: Page): Promise<{ type: string; bubbles: boolean; composed: boolean; target: string }[]> {
  return page.evaluate(
    () => (window as unknown as { __events: { type: string; bubbles: boolean; composed: boolean; target: string }[] }).__events,
  );
}

const LOCALES = {
  'pt-BR': {
    openChat: 'Abrir o chat',
    closeChat: 'Fechar o chat',
    title: 'Fale conosco',
    offline: 'Estamos offline: deixe uma mensagem',
    placeholder: 'Escreva uma mensagem…',
    inputLabel: 'Mensagem',
    send: 'Enviar',
    messages: 'Mensagens',
    empty: 'Nenhuma mensagem ainda. Diga olá!',
    today: 'Hoje',
    sent: 'Enviada',
  },
  es: {
    openChat: 'Abrir el chat',
    closeChat: 'Cerrar el chat',
    title: 'Habla con nosotros',
    offline: 'No estamos conectados: deja un mensaje',
    placeholder: 'Escribe un mensaje…',
    inputLabel: 'Mensaje',
    send: 'Enviar',
    messages: 'Mensajes',
    empty: 'Aún no hay mensajes. ¡Saluda!',
    today: 'Hoy',
    sent: 'Enviado',
  },
} as const;

describe('<chat-widget> languages, themes, layout, slots and events', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the panel and checks every visible string against `strings`; sends one message to get a day separator. */
  async function expectLocalized(widget: Locator, strings: (typeof LOCALES)[keyof typeof LOCALES], message: string): Promise<void> {
    const launcher = widget.locator('button.launcher');
    expect(await launcher.getAttribute('aria-label')).toBe(strings.openChat);
    await launcher.click();
    const panel = widget.locator('[part=panel]');
    await expect.poll(() => panel.count()).toBe(1);
    expect(await panel.getAttribute('aria-label')).toBe(strings.title);
    expect((await widget.locator('[part=header] h2').textContent())?.trim()).toBe(strings.title);
    await expect.poll(async () => (await widget.locator('[part=header] p').textContent())?.trim()).toBe(strings.offline);
    expect(await launcher.getAttribute('aria-label')).toBe(strings.closeChat);
    expect(await widget.locator('[part=header] button.close').getAttribute('aria-label')).toBe(strings.closeChat);

    const input = widget.locator('textarea[part=input]');
    await input.waitFor();
    expect(await input.getAttribute('placeholder')).toBe(strings.placeholder);
    expect(await input.getAttribute('aria-label')).toBe(strings.inputLabel);
    expect((await widget.locator('[part=send-button]').textContent())?.trim()).toBe(strings.send);
    expect(await widget.locator('[part=messages]').getAttribute('aria-label')).toBe(strings.messages);
    expect((await widget.locator('[part=messages] .empty').textContent())?.trim()).toBe(strings.empty);

    await input.fill(message);
    await input.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.getAttribute('data-status')).toBe('sent');
    expect(await widget.locator('[part=messages] [role=separator]').allTextContents()).toEqual([strings.today]);
    expect(await mine.locator('.tick').getAttribute('aria-label')).toBe(strings.sent);
  }

  it('speaks Portuguese and Spanish from the lang attribute, and the browser language without it', async () => {
    // An English browser (each language in a context of its own: a visitor's chat is stored per origin).
    for (const [lang, strings] of Object.entries(LOCALES)) {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" lang="${lang}"></chat-widget>` });
      await expectLocalized(page.locator('chat-widget'), strings, `Olá / Hola (${lang})`);
      expect(page.problems).toEqual([]);
      expect(await violations(page)).toEqual([]);
      // Without the attribute the same browser gets English.
      const english = await openHostPage(context, server, { path: '/en.html', body: `<chat-widget app="${tenant.id}"></chat-widget>` });
      expect(await english.locator('chat-widget button.launcher').getAttribute('aria-label')).toBe('Open chat');
      await context.close();
    }

    // A Brazilian browser, no lang attribute: Portuguese, day separator included.
    const brazil = await browser.newContext({ locale: 'pt-BR' });
    const page = await openHostPage(brazil, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    expect(await page.evaluate(() => navigator.language)).toBe('pt-BR');
    await expectLocalized(page.locator('chat-widget'), LOCALES['pt-BR'], 'Olá, tudo bem?');
    // lang wins over the browser's language.
    const forced = await openHostPage(brazil, server, {
      path: '/forced.html',
      body: `<chat-widget app="${tenant.id}" lang="es"></chat-widget>`,
    });
    expect(await forced.locator('chat-widget button.launcher').getAttribute('aria-label')).toBe(LOCALES.es.openChat);
    expect(page.problems).toEqual([]);
    await brazil.close();
  });

  it('takes its look from page CSS alone: custom properties and ::part()', async () => {
    const context = await browser.newContext();
    const css = `chat-widget { --chat-accent: rgb(200, 0, 100); --chat-radius: 2px; }
chat-widget::part(launcher) { width: 80px }
chat-widget::part(send-button) { text-transform: uppercase }`;
    // An inline <style> is what the strict CSP forbids: this page has no CSP.
    const themed = await openHostPage(context, server, {
      path: '/themed.html',
      csp: null,
      body: `<style>${css}</style><chat-widget app="${tenant.id}" theme="light"></chat-widget>`,
    });

    const look = async (page: Page) => {
      const widget = page.locator('chat-widget');
      const launcher = widget.locator('button.launcher');
      await launcher.waitFor();
      const launcherShot = await launcher.screenshot();
      const before = { background: await style(launcher, 'background-color'), width: await style(launcher, 'width') };
      await launcher.click();
      const panel = widget.locator('[part=panel]');
      await widget.locator('[part=send-button]').waitFor();
      await panel.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished))); // the entrance animation
      return {
        launcher: before,
        launcherShot,
        panelRadius: await style(panel, 'border-top-left-radius'),
        headerBackground: await style(widget.locator('[part=header]'), 'background-color'),
        sendTransform: await style(widget.locator('[part=send-button]'), 'text-transform'),
        sendText: await widget.locator('[part=send-button]').innerText(),
        panelShot: await panel.screenshot(),
      };
    };
    const custom = await look(themed);
    // The same widget on a page with no styles of its own (and the strict CSP).
    const plain = await openHostPage(context, server, {
      path: '/plain.html',
      body: `<chat-widget app="${tenant.id}" theme="light"></chat-widget>`,
    });
    const standard = await look(plain);

    expect(custom.launcher).toEqual({ background: 'rgb(200, 0, 100)', width: '80px' });
    expect(standard.launcher).toEqual({ background: 'rgb(29, 78, 216)', width: '58px' });
    expect(custom.panelRadius).toBe('2px');
    expect(standard.panelRadius).toBe('12px');
    expect(custom.headerBackground).toBe('rgb(200, 0, 100)');
    expect(standard.headerBackground).toBe('rgb(29, 78, 216)');
    expect(custom.sendTransform).toBe('uppercase');
    expect(standard.sendTransform).toBe('none');
    expect(custom.sendText).toBe('SEND');
    expect(standard.sendText).toBe('Send');
    // Two different looks, pixel for pixel.
    expect(custom.launcherShot.equals(standard.launcherShot)).toBe(false);
    expect(custom.panelShot.equals(standard.panelShot)).toBe(false);

    expect(themed.problems).toEqual([]);
    expect(plain.problems).toEqual([]);
    expect(await violations(plain)).toEqual([]);
    await context.close();
  });

  it('theme="dark" gives a dark panel, theme="light" a light one, and "auto" follows prefers-color-scheme', async () => {
    const context = await browser.newContext({ colorScheme: 'light' });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" theme="dark"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await page.evaluate(() => (document.querySelector('chat-widget') as unknown as ChatWidgetApi).open());
    const panel = widget.locator('[part=panel]');
    await widget.locator('textarea[part=input]').waitFor();
    const panelBg = async () => luminance(await style(panel, 'background-color'));
    const panelFg = async () => luminance(await style(panel, 'color'));
    const setTheme = (theme: string) => widget.evaluate((el, t) => el.setAttribute('theme', t), theme);

    expect(await panelBg()).toBeLessThan(0.05);
    expect(await panelFg()).toBeGreaterThan(0.6);
    expect(await style(widget.locator('textarea[part=input]'), 'color-scheme')).toBe('dark');

    await setTheme('light');
    expect(await panelBg()).toBeGreaterThan(0.9);
    expect(await panelFg()).toBeLessThan(0.1);

    await setTheme('auto');
    expect(await panelBg()).toBeGreaterThan(0.9);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await panelBg()).toBeLessThan(0.05);
    // An explicit light theme wins over a dark system preference.
    await setTheme('light');
    expect(await panelBg()).toBeGreaterThan(0.9);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('mode="inline" shows the panel in the page without a launcher; position="bottom-left" puts the launcher on the left', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await openHostPage(context, server, {
      body: `<section id="help"><h1>Help</h1><chat-widget id="inline" app="${tenant.id}" mode="inline"></chat-widget></section>
<chat-widget id="left" app="${tenant.id}" position="bottom-left"></chat-widget>
<chat-widget id="right" app="${tenant.id}"></chat-widget>`,
    });
    const inline = page.locator('#inline');
    const left = page.locator('#left');
    const right = page.locator('#right');
    await left.locator('button.launcher').waitFor();

    // Inline: the panel, open at once, in the flow of the page, with no launcher and no close button.
    await inline.locator('textarea[part=input]').waitFor();
    expect(await inline.locator('button.launcher').count()).toBe(0);
    expect(await inline.locator('[part=panel]').isVisible()).toBe(true);
    expect(await inline.locator('[part=panel]').getAttribute('role')).toBe('region');
    expect(await inline.locator('[part=header] button.close').count()).toBe(0);
    expect(await style(inline.locator('[part=panel]'), 'position')).not.toBe('fixed');
    const heading = (await page.locator('#help h1').boundingBox())!;
    const inlineBox = (await inline.locator('[part=panel]').boundingBox())!;
    expect(inlineBox.y).toBeGreaterThanOrEqual(heading.y + heading.height);
    // Escape does not close an inline chat.
    await inline.locator('textarea[part=input]').press('Escape');
    expect(await inline.locator('[part=panel]').count()).toBe(1);

    // Launchers: bottom-left on the left half, the default on the right half.
    const half = 1200 / 2;
    const leftBox = (await left.locator('button.launcher').boundingBox())!;
    const rightBox = (await right.locator('button.launcher').boundingBox())!;
    expect(leftBox.x + leftBox.width).toBeLessThan(half);
    expect(rightBox.x).toBeGreaterThan(half);
    expect(leftBox.y).toBeGreaterThan(800 / 2);
    // The left launcher's panel opens on the left too.
    await left.locator('button.launcher').click();
    const leftPanel = left.locator('[part=panel]');
    await leftPanel.waitFor();
    expect((await leftPanel.boundingBox())!.x).toBeLessThan(half);
    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('slots replace the header title and the launcher icon', async () => {
    const context = await browser.newContext();
    const slots = '<span slot="header">Custom header</span><span slot="launcher-icon">?</span>';
    const page = await openHostPage(context, server, {
      body: `<chat-widget id="custom" app="${tenant.id}">${slots}</chat-widget>
<chat-widget id="default" app="${tenant.id}" position="bottom-left"></chat-widget>`,
    });
    const custom = page.locator('#custom');
    const standard = page.locator('#default');
    const launcher = custom.locator('button.launcher');
    await launcher.waitFor();
    await standard.locator('button.launcher').waitFor();

    const inside = (
      inner: { x: number; y: number; width: number; height: number },
      outer: { x: number; y: number; width: number; height: number },
    ) =>
      inner.width > 0 &&
      inner.x >= outer.x - 1 &&
      inner.y >= outer.y - 1 &&
      inner.x + inner.width <= outer.x + outer.width + 1 &&
      inner.y + inner.height <= outer.y + outer.height + 1;

    // The launcher shows the slotted "?" instead of its icon.
    const icon = page.locator('#custom > span[slot=launcher-icon]');
    expect(await icon.isVisible()).toBe(true);
    expect(inside((await icon.boundingBox())!, (await launcher.boundingBox())!)).toBe(true);
    expect(await launcher.locator('svg').isVisible()).toBe(false);
    expect(await standard.locator('button.launcher svg').isVisible()).toBe(true);

    // The header shows the slotted text instead of the title and subtitle.
    await launcher.click();
    const header = custom.locator('[part=header]');
    await header.waitFor();
    const slotted = page.locator('#custom > span[slot=header]');
    expect(await slotted.isVisible()).toBe(true);
    expect(inside((await slotted.boundingBox())!, (await header.boundingBox())!)).toBe(true);
    expect(await header.locator('h2').isVisible()).toBe(false);
    await standard.locator('button.launcher').click();
    expect(await standard.locator('[part=header] h2').isVisible()).toBe(true);
    expect(await standard.locator('[part=header] h2').textContent()).toBe('Chat with us');
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('fires chat-ready, and open(), close() and toggle() work and fire chat-open / chat-close', async () => {
    const context = await browser.newContext();
    await recordEvents(context);
    const page = await openHostPage(context, server, { body: `<chat-widget id="w" app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    const panel = widget.locator('[part=panel]');
    const call = (method: keyof ChatWidgetApi) =>
      page.evaluate((m) => (document.querySelector('chat-widget') as unknown as ChatWidgetApi)[m](), method);
    const state = async () => ({
      attribute: await widget.evaluate((el) => el.hasAttribute('open')),
      panel: await panel.count(),
      expanded: await widget.locator('button.launcher').getAttribute('aria-expanded'),
    });
    const counts = async () => {
      const all = await events(page);
      return {
        ready: all.filter((e) => e.type === 'chat-ready').length,
        open: all.filter((e) => e.type === 'chat-open').length,
        close: all.filter((e) => e.type === 'chat-close').length,
      };
    };
    const OPEN = { attribute: true, panel: 1, expanded: 'true' };
    const CLOSED = { attribute: false, panel: 0, expanded: 'false' };

    await expect.poll(counts).toEqual({ ready: 1, open: 0, close: 0 });
    expect((await events(page))[0]).toEqual({ type: 'chat-ready', bubbles: true, composed: true, target: 'w' });
    expect(await state()).toEqual(CLOSED);

    await call('open');
    await expect.poll(state).toEqual(OPEN);
    await expect.poll(counts).toEqual({ ready: 1, open: 1, close: 0 });
    await call('open'); // already open: nothing new
    await call('close');
    await expect.poll(state).toEqual(CLOSED);
    await expect.poll(counts).toEqual({ ready: 1, open: 1, close: 1 });
    await call('toggle');
    await expect.poll(state).toEqual(OPEN);
    await expect.poll(counts).toEqual({ ready: 1, open: 2, close: 1 });
    await call('toggle');
    await expect.poll(state).toEqual(CLOSED);
    await expect.poll(counts).toEqual({ ready: 1, open: 2, close: 2 });
    // The open attribute works the same way.
    await widget.evaluate((el) => el.setAttribute('open', ''));
    await expect.poll(state).toEqual(OPEN);
    await expect.poll(counts).toEqual({ ready: 1, open: 3, close: 2 });

    const all = await events(page);
    expect(all.filter((e) => e.type !== 'chat-ready').every((e) => e.bubbles && e.composed && e.target === 'w')).toBe(true);
    expect(all.filter((e) => e.type === 'chat-error')).toEqual([]);
    expect(page.problems).toEqual([]);
    await context.close();
  });
});
