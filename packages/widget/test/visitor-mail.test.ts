import type { AuthSessionDto, MailDto, PageDto, UserDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  horizontalOverflow,
  launchBrowser,
  openHostPage,
  screenshotThemes,
  startTestServer,
  storedSession,
  storedVisit,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

describe('<chat-widget> mail: the transcript, replies by email, links back to the chat', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let agent: AuthSessionDto;

  beforeAll(async () => {
    server = await startTestServer({ mail: { pollMs: 200 } });
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    agent = await server.member(tenant, 'mail-agent', { role: 'agent', name: 'Ana' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The conversation's mails as an agent reads them over REST. */
  const mails = async (id: string) => {
    const res = await server.request<PageDto<MailDto>>('GET', `/v1/support/conversations/${id}/mails`, { token: agent.accessToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items;
  };

  /** Opens the widget, signs in through the pre-chat form when asked, sends a first message: the conversation's id. */
  async function startChat(page: Page, text: string, prechat?: { name: string; email: string }): Promise<string> {
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    if (prechat) {
      await widget.locator('[part=prechat] input[name=name]').fill(prechat.name);
      await widget.locator('[part=prechat] input[name=email]').fill(prechat.email);
      await widget.locator('[part=prechat] button[type=submit]').click();
    }
    const input = widget.locator('textarea[part=input]');
    await input.fill(text);
    await input.press('Enter');
    await expect.poll(async () => (await storedVisit(page))?.conversationId).toBeTruthy();
    return (await storedVisit(page))!.conversationId!;
  }

  const menuButton = (widget: Locator) => widget.getByRole('button', { name: 'Conversation options' });
  const isFocused = (el: Locator) => el.evaluate((node) => (node.getRootNode() as ShadowRoot).activeElement === node);

  it('confirms the email the visitor gave and sends the transcript there; Escape closes only the menu', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await openHostPage(context, server, {
      body: `<main><h1>Shop</h1></main><chat-widget app="${tenant.id}" theme="light" require-name require-email></chat-widget>`,
    });
    const widget = page.locator('chat-widget');
    const id = await startChat(page, 'Where is my parcel?', { name: 'Marta', email: 'marta@example.com' });

    // Escape in the menu closes the menu, not the chat, and focus goes back to its button.
    await menuButton(widget).click();
    const item = widget.getByRole('menuitem', { name: 'Email me this conversation' });
    await expect.poll(() => isFocused(item)).toBe(true);
    expect(await menuButton(widget).getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => item.count()).toBe(0);
    expect(await widget.getAttribute('open')).not.toBeNull();
    await expect.poll(() => isFocused(menuButton(widget))).toBe(true);

    await menuButton(widget).click();
    await item.click();
    const form = widget.getByRole('form', { name: 'Email me this conversation' });
    await expect.poll(() => form.textContent()).toContain('Send the transcript to marta@example.com?');
    expect(await form.getByRole('button', { name: 'Use another address' }).count()).toBe(1);
    // A visitor who gave an email is not asked for one in the thread.
    expect(await widget.locator('confab-email-card').isHidden()).toBe(true);
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'widget-transcript-confirm');

    await form.getByRole('button', { name: 'Send transcript' }).click();
    const done = widget.getByRole('status').filter({ hasText: 'Transcript sent to' });
    await expect.poll(() => done.textContent()).toContain('Transcript sent to marta@example.com');
    await expect.poll(async () => (await mails(id)).map((m) => [m.kind, m.to])).toEqual([['transcript', 'marta@example.com']]);
    await screenshotThemes(page, widget, 'widget-transcript-sent');
    await widget.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => isFocused(menuButton(widget))).toBe(true);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('asks a visitor without an email for the address, says what is wrong in words, and sends it there', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" lang="es"></chat-widget>` });
    const widget = page.locator('chat-widget');
    const id = await startChat(page, 'Hola, necesito ayuda');

    const ask = async (to: string) => {
      await widget.getByRole('button', { name: 'Opciones de la conversación' }).click();
      await widget.getByRole('menuitem', { name: 'Enviarme esta conversación por correo' }).click();
      await address.fill(to);
      await widget.getByRole('button', { name: 'Enviar transcripción' }).click();
      await expect.poll(() => widget.locator('[part=menu] [role=status], [part=menu] [role=alert]').count()).toBe(1);
    };
    const address = widget.getByRole('textbox', { name: 'Tu correo electrónico' });
    await widget.getByRole('button', { name: 'Opciones de la conversación' }).click();
    await widget.getByRole('menuitem', { name: 'Enviarme esta conversación por correo' }).click();
    await expect.poll(() => isFocused(address)).toBe(true);
    await address.fill('not-an-address');
    await widget.getByRole('button', { name: 'Enviar transcripción' }).click();
    await expect.poll(() => widget.getByRole('alert').textContent()).toBe('Introduce un correo válido');
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await mails(id)).toEqual([]);
    expect(await horizontalOverflow(page, 'chat-widget')).toEqual([]);
    await screenshotThemes(page, widget, 'widget-transcript-ask');

    await address.fill('lia@example.com');
    await widget.getByRole('button', { name: 'Enviar transcripción' }).click();
    const sent = widget.locator('[part=menu] [role=status]');
    await expect.poll(() => sent.textContent()).toContain('Transcripción enviada a lia@example.com');
    await expect.poll(async () => (await mails(id)).map((m) => m.to)).toEqual(['lia@example.com']);

    // A visitor gets a few an hour: past them, the widget says so in words.
    await widget.getByRole('button', { name: 'Listo' }).click();
    await ask('lia2@example.com');
    await widget.getByRole('button', { name: 'Listo' }).click();
    await ask('lia3@example.com');
    await widget.getByRole('button', { name: 'Listo' }).click();
    await ask('lia4@example.com');
    expect(await widget.getByRole('alert').textContent()).toBe('Ya pediste varias transcripciones. Vuelve a intentarlo dentro de un rato.');
    expect((await mails(id)).map((m) => m.to).sort()).toEqual(['lia2@example.com', 'lia3@example.com', 'lia@example.com']);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('asks for an email after the first message, saves it, and remembers it was closed', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" theme="light"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await startChat(page, 'Do you ship to Lisbon?');
    const card = widget.locator('confab-email-card');
    await expect.poll(() => card.getByRole('heading', { name: 'Get replies by email' }).count()).toBe(1);
    // In the thread, right after the visitor's first message.
    const first = widget.locator('[part~=message][part~=mine]').first();
    const [cardBox, firstBox] = [(await card.boundingBox())!, (await first.boundingBox())!];
    expect(cardBox.y).toBeGreaterThanOrEqual(firstBox.y + firstBox.height - 1);

    const field = card.getByRole('textbox', { name: 'Email' });
    await field.fill('joao@');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe('Enter a valid email address');
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'widget-replies-card');

    await field.fill('joao@example.com');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toContain('We’ll email you at joao@example.com if you’re away.');
    const me = async () => {
      const session = (await storedSession(page)) as unknown as AuthSessionDto;
      const res = await server.request<UserDto>('GET', '/v1/me', { token: session.accessToken });
      return res.body.email;
    };
    expect(await me()).toBe('joao@example.com');
    await screenshotThemes(page, widget, 'widget-replies-saved');

    // It can be changed, and the transcript menu now offers that address.
    await card.getByRole('button', { name: 'Change' }).click();
    await expect.poll(() => field.inputValue()).toBe('joao@example.com');
    await field.fill('joao.silva@example.com');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toContain('joao.silva@example.com');
    expect(await me()).toBe('joao.silva@example.com');
    await menuButton(widget).click();
    await widget.getByRole('menuitem', { name: 'Email me this conversation' }).click();
    await expect.poll(() => widget.locator('[part=menu]').textContent()).toContain('Send the transcript to joao.silva@example.com?');
    await page.keyboard.press('Escape');

    // After a reload it still says where replies go; once closed, it stays closed.
    await page.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => card.getByRole('status').textContent()).toContain('joao.silva@example.com');
    await card.getByRole('button', { name: 'Close: don’t ask for my email' }).click();
    await expect.poll(() => card.isHidden()).toBe(true);
    await expect.poll(() => isFocused(widget.locator('textarea[part=input]'))).toBe(true);
    await page.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    expect(await card.isHidden()).toBe(true);
    expect(page.problems).toEqual([]);
    await context.close();
  });

  it('closed before saving, the card stays closed after a reload; a host-given email never shows it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    const card = widget.locator('confab-email-card');
    await startChat(page, 'Just browsing');
    await card.getByRole('button', { name: 'Close: don’t ask for my email' }).click();
    await expect.poll(() => card.isHidden()).toBe(true);
    await page.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);
    expect(await card.isHidden()).toBe(true);
    await context.close();

    const token = jwt.sign({ name: 'Rui', email: 'rui@shop.example' }, tenant.secret, {
      algorithm: 'HS256',
      subject: 'host-user-rui',
      audience: tenant.id,
      expiresIn: '1h',
    });
    const hostContext = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const host = await openHostPage(hostContext, server, { body: `<chat-widget app="${tenant.id}" user-token="${token}"></chat-widget>` });
    await startChat(host, 'Signed in already');
    const hostWidget = host.locator('chat-widget');
    await menuButton(hostWidget).click();
    await hostWidget.getByRole('menuitem', { name: 'Email me this conversation' }).click();
    await expect.poll(() => hostWidget.locator('[part=menu]').textContent()).toContain('Send the transcript to rui@shop.example?');
    expect(await hostWidget.locator('confab-email-card').isHidden()).toBe(true);
    await hostContext.close();
  });

  it('opens itself on a link ending in #confab-open and takes the hash off, keeping the rest of the URL', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const path = '/help.html?from=mail';
    const page = await openHostPage(context, server, { path, body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await expect.poll(() => widget.locator('button.launcher').count()).toBe(1);
    expect(await widget.getAttribute('open')).toBeNull();
    // The mail's link: the same page with the hash (reloaded, as a click on the link loads it).
    await page.evaluate(() => (location.hash = 'confab-open'));
    const before = await page.evaluate(() => history.length);
    await page.reload();
    await expect.poll(() => widget.getAttribute('open')).not.toBeNull();
    await expect.poll(() => widget.locator('[part=panel]').isVisible()).toBe(true);
    expect(page.url()).toBe(`${server.url}${path}`);
    expect(await page.evaluate(() => history.length)).toBe(before);
    // Another hash is the page's own: the chat stays closed and the hash stays.
    await page.evaluate(() => (location.hash = 'pricing'));
    await page.reload();
    await expect.poll(() => widget.locator('button.launcher').count()).toBe(1);
    expect(await widget.getAttribute('open')).toBeNull();
    expect(page.url()).toBe(`${server.url}${path}#pricing`);
    expect(page.problems).toEqual([]);
    await context.close();
  });
});
