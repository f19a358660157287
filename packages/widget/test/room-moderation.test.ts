import type { AuthSessionDto, MessageDto, MessageReportDto, PageDto, RoomDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  type HostPage,
  launchBrowser,
  openHostPage,
  screenshot,
  startTestServer,
  storedSession,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

/** The element focused inside the widget's shadow roots: its class, label and text. */
function focused(page: HostPage): Promise<{ cls: string; label: string; text: string; tag: string } | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    return {
      cls: el.getAttribute('class') ?? '',
      label: el.getAttribute('aria-label') ?? '',
      text: (el.textContent ?? '').trim(),
      tag: el.tagName.toLowerCase(),
    };
  });
}

describe('moderation in a public room shown by <chat-widget room>', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let n = 0;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const hostToken = (externalId: string, name: string) =>
    jwt.sign({ name }, tenant.secret, { algorithm: 'HS256', subject: externalId, audience: tenant.id, expiresIn: '1h' });

  /**
   * A public room made by its owner (through the API), with a moderator ("Mona Mod", a member the
   * owner promoted) signed in to a widget of their own; `visitors` more widgets as guests.
   */
  async function scene(options: { lang?: string; viewport?: { width: number; height: number } } = {}) {
    n += 1;
    const owner = await server.member(tenant, `owner-${n}`, { name: 'Olga Owner' });
    const room = await server.request<RoomDto>('POST', '/v1/rooms', {
      token: owner.accessToken,
      body: { name: `Lobby ${n}`, kind: 'public' },
    });
    expect(room.status).toBe(201);
    const roomId = room.body.id;
    const moderator = await server.member(tenant, `mod-${n}`, { name: 'Mona Mod' });
    expect(
      (await server.request('POST', `/v1/rooms/${roomId}/members`, { token: moderator.accessToken, body: { userId: moderator.user.id } }))
        .status,
    ).toBeLessThan(300);
    const promoted = await server.request('PUT', `/v1/rooms/${roomId}/members/${moderator.user.id}/role`, {
      token: owner.accessToken,
      body: { role: 'moderator' },
    });
    expect(promoted.status).toBe(200);
    const contexts: BrowserContext[] = [];
    const open = async (attributes: string) => {
      const context = await browser.newContext({ viewport: options.viewport ?? VIEWPORTS.desktop });
      contexts.push(context);
      const page = await openHostPage(context, server, {
        body: `<chat-widget app="${tenant.id}" room="${roomId}" mode="inline" lang="${options.lang ?? 'en'}" ${attributes}></chat-widget>`,
      });
      await page.evaluate(() => {
        // Through the CSSOM: the strict CSP refuses style attributes.
        document.body.style.margin = '0';
        (document.querySelector('chat-widget') as HTMLElement).style.setProperty('--chat-height', '100dvh');
      });
      const widget = page.locator('chat-widget');
      await widget.locator('textarea[part=input]').waitFor();
      return { page, widget };
    };
    const mod = await open(`user-token="${hostToken(`mod-${n}`, 'Mona Mod')}"`);
    const visitor = await open('');
    const visitorId = async () => (await storedSession(visitor.page))!.user.id;
    let posted = 0;
    const post = async (session: AuthSessionDto, text: string) => {
      const res = await server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
        token: session.accessToken,
        body: { text, clientId: `post-${n}-${++posted}` },
      });
      expect(res.status).toBe(201);
      return res;
    };
    return {
      roomId,
      owner,
      moderator,
      mod,
      visitor,
      visitorId,
      post,
      close: () => Promise.all(contexts.map((c) => c.close())),
    };
  }

  async function send(widget: Locator, text: string): Promise<void> {
    await widget.locator('textarea[part=input]').fill(text);
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').allTextContents()).toContainEqual(expect.stringContaining(text));
  }

  /** Opens the ⋯ menu of the message that reads `text`. */
  async function menuOf(widget: Locator, text: string): Promise<Locator> {
    const message = widget.locator('[part~=message]', { hasText: text });
    await message.hover();
    await message.locator('button.more').click();
    return message;
  }

  it('lets a moderator remove a visitor’s message: the visitor sees “This message was removed” live, without reactions', async () => {
    const s = await scene();
    await send(s.visitor.widget, 'Buy cheap watches at spam.example');
    const message = await menuOf(s.mod.widget, 'Buy cheap watches');
    await expect.poll(() => message.getByRole('button', { name: 'Remove message' }).count()).toBe(1);
    expect(await axeFindings(s.mod.page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await message.getByRole('button', { name: 'Remove message' }).click();
    // A confirmation first, focused on the safe choice.
    await expect.poll(async () => (await focused(s.mod.page))?.text).toBe('Cancel');
    expect(await message.locator('.mod-question').textContent()).toContain('Remove this message for everyone?');
    await message.getByRole('button', { name: 'Remove message' }).click();

    const seen = s.visitor.widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => seen.last().textContent()).toContain('This message was removed');
    expect(await seen.last().textContent()).not.toContain('cheap watches');
    const bubble = seen.last().locator('.bubble');
    expect(await bubble.evaluate((el) => getComputedStyle(el).fontStyle)).toBe('italic');
    expect(await seen.last().locator('.reactions').count()).toBe(0);
    expect(await seen.last().locator('button.more').count()).toBe(0);
    await expect.poll(() => s.mod.widget.locator('.mod-toast').textContent()).toContain('Message removed');
    expect(s.visitor.page.problems).toEqual([]);
    expect(s.mod.page.problems).toEqual([]);
    await s.close();
  });

  it('shows a moderator’s menu, and pins in a strip at the top of every member’s thread (phone, light and dark)', async () => {
    const s = await scene({ viewport: VIEWPORTS.phone });
    await s.post(s.owner, 'Welcome! Please read the rules before posting.');
    await s.post(s.owner, 'Meetup this Friday at 18:00 in the main hall');
    await send(s.visitor.widget, 'Hello everyone');
    const message = await menuOf(s.mod.widget, 'Meetup this Friday');
    await expect.poll(() => message.getByRole('button', { name: 'Pin' }).count()).toBe(1);
    for (const theme of ['light', 'dark']) {
      await s.mod.widget.evaluate((el, t) => el.setAttribute('theme', t), theme);
      await screenshot(s.mod.page, `room-moderation-menu-phone-${theme}`);
    }
    await message.getByRole('button', { name: 'Pin' }).click();

    const strip = s.visitor.widget.locator('[part=pinned]');
    await expect.poll(() => strip.textContent()).toContain('Meetup this Friday');
    expect(await strip.textContent()).toContain('Olga Owner');
    // A second pin: the newest shows, and the list holds both.
    await menuOf(s.mod.widget, 'Welcome! Please read');
    await s.mod.widget.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(() => strip.locator('.mod-pin-text').textContent()).toContain('Welcome! Please read');
    await strip.getByRole('button', { name: 'All pins (2)' }).click();
    await expect.poll(() => strip.locator('.mod-pin-list button').count()).toBe(2);
    expect(await axeFindings(s.visitor.page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    for (const theme of ['light', 'dark']) {
      await s.visitor.widget.evaluate((el, t) => el.setAttribute('theme', t), theme);
      await screenshot(s.visitor.page, `room-moderation-pins-phone-${theme}`);
    }
    // A pin goes to its message.
    await strip.locator('.mod-pin-list button', { hasText: 'Meetup' }).click();
    await expect.poll(async () => (await focused(s.visitor.page))?.text).toContain('Meetup this Friday');
    expect(s.visitor.page.problems).toEqual([]);
    await s.close();
  });

  it('lets a visitor report a message with the keyboard alone; the report reaches the moderators', async () => {
    const s = await scene();
    const offending = await s.post(s.owner, 'You are all idiots');
    await expect.poll(() => s.visitor.widget.locator('[part~=message][part~=theirs]').count()).toBe(1);
    const message = s.visitor.widget.locator('[part~=message]', { hasText: 'You are all idiots' });
    await message.focus();
    await s.visitor.page.keyboard.press('Tab');
    expect((await focused(s.visitor.page))?.label).toBe('Message actions');
    await s.visitor.page.keyboard.press('Enter');
    // Tab through the menu to Report.
    for (let i = 0; i < 12 && (await focused(s.visitor.page))?.text !== 'Report'; i++) await s.visitor.page.keyboard.press('Tab');
    expect((await focused(s.visitor.page))?.text).toBe('Report');
    // Visitors get no moderator's actions.
    expect(await message.getByRole('button', { name: 'Ban from room' }).count()).toBe(0);
    await s.visitor.page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(s.visitor.page))?.tag).toBe('input');
    expect(await message.getByRole('button', { name: 'Send report' }).isDisabled()).toBe(true);
    await s.visitor.page.keyboard.press('ArrowDown'); // from Spam to Abuse or harassment (arrows pick a radio)
    await s.visitor.page.keyboard.press('Tab');
    await s.visitor.page.keyboard.type('Insults everyone in the room');
    await s.visitor.page.keyboard.press('Tab'); // Cancel
    await s.visitor.page.keyboard.press('Tab'); // Send report
    expect((await focused(s.visitor.page))?.text).toBe('Send report');
    await s.visitor.page.keyboard.press('Enter');
    await expect.poll(() => message.locator('.mod-thanks').textContent()).toContain('Thanks, the moderators will look at it');
    expect((await focused(s.visitor.page))?.text).toBe('Done');
    expect(await axeFindings(s.visitor.page, 'chat-widget')).toEqual([]);
    await s.visitor.page.keyboard.press('Enter');
    expect((await focused(s.visitor.page))?.label).toBe('Message actions');

    const reports = await server.request<PageDto<MessageReportDto>>('GET', `/v1/rooms/${s.roomId}/reports`, { token: s.owner.accessToken });
    expect(reports.status).toBe(200);
    expect(reports.body.items).toEqual([
      expect.objectContaining({
        messageId: offending.body.id,
        reason: 'abuse',
        comment: 'Insults everyone in the room',
        reporterId: await s.visitorId(),
      }),
    ]);
    await s.close();
  });

  it('replaces a muted visitor’s composer with a notice until the mute is lifted (phone, light and dark)', async () => {
    const s = await scene({ viewport: VIEWPORTS.phone });
    await send(s.visitor.widget, 'First!!!');
    const message = await menuOf(s.mod.widget, 'First!!!');
    await message.getByRole('button', { name: 'Mute 1 hour' }).click();
    expect(await message.locator('.mod-question').textContent()).toContain('Mute Visitor for 1 hour?');
    await message.getByRole('button', { name: 'Mute 1 hour' }).click();
    await expect.poll(() => s.mod.widget.locator('.mod-toast').textContent()).toMatch(/Visitor is muted until \d/);

    const notice = s.visitor.widget.locator('[part=moderation-notice]');
    await expect.poll(() => notice.textContent()).toMatch(/You can’t send messages here until \d{1,2}:\d{2}/);
    expect(await s.visitor.widget.locator('textarea[part=input]').count()).toBe(0);
    expect(await axeFindings(s.visitor.page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    for (const theme of ['light', 'dark']) {
      await s.visitor.widget.evaluate((el, t) => el.setAttribute('theme', t), theme);
      await screenshot(s.visitor.page, `room-moderation-muted-phone-${theme}`);
    }

    const unmuted = await server.request('DELETE', `/v1/rooms/${s.roomId}/members/${await s.visitorId()}/mute`, {
      token: s.owner.accessToken,
    });
    expect(unmuted.status).toBe(200);
    await expect.poll(() => s.visitor.widget.locator('textarea[part=input]').count()).toBe(1);
    expect(await notice.count()).toBe(0);
    await send(s.visitor.widget, 'Sorry, calmer now');
    await s.close();
  });

  it('makes a visitor wait out slow mode after a send, and says when they were removed from the room', async () => {
    const s = await scene();
    const slow = await server.request('PUT', `/v1/rooms/${s.roomId}/slow-mode`, { token: s.owner.accessToken, body: { seconds: 30 } });
    expect(slow.status).toBe(200);
    const hint = s.visitor.widget.locator('[part=slow-mode]');
    await expect.poll(() => hint.textContent()).toContain('Slow mode: one message every 30 s');
    await send(s.visitor.widget, 'One message');
    await expect.poll(() => hint.textContent()).toMatch(/you can send again in (30|29|28) s/);
    expect(await s.visitor.widget.locator('textarea[part=input]').isDisabled()).toBe(true);
    // Moderators never wait.
    expect(await s.mod.widget.locator('[part=slow-mode]').count()).toBe(0);

    const kicked = await server.request('POST', `/v1/rooms/${s.roomId}/members/${await s.visitorId()}/kick`, {
      token: s.owner.accessToken,
      body: {},
    });
    expect(kicked.status).toBe(204);
    await expect
      .poll(() => s.visitor.widget.locator('[part=moderation-notice]').textContent())
      .toContain('You were removed from this room');
    expect(await s.visitor.widget.locator('textarea[part=input]').count()).toBe(0);
    await s.close();
  });

  it('speaks Brazilian Portuguese: the tombstone, the report item and the muted notice', async () => {
    const s = await scene({ lang: 'pt-BR' });
    await send(s.visitor.widget, 'Mensagem indesejada');
    await s.post(s.owner, 'Bem-vindos à sala');
    const message = await menuOf(s.visitor.widget, 'Bem-vindos');
    expect(await message.getByRole('button', { name: 'Denunciar' }).count()).toBe(1);
    await s.visitor.page.keyboard.press('Escape');

    const mine = s.visitor.widget.locator('[part~=message]', { hasText: 'Mensagem indesejada' });
    const id = await mine.getAttribute('data-id');
    expect((await server.request('DELETE', `/v1/messages/${id}`, { token: s.moderator.accessToken })).status).toBe(200);
    await expect.poll(() => s.visitor.widget.locator(`[data-id="${id}"]`).textContent()).toContain('Esta mensagem foi removida');

    const muted = await server.request('PUT', `/v1/rooms/${s.roomId}/members/${await s.visitorId()}/mute`, {
      token: s.moderator.accessToken,
      body: { durationSeconds: 3600 },
    });
    expect(muted.status).toBe(200);
    await expect
      .poll(() => s.visitor.widget.locator('[part=moderation-notice]').textContent())
      .toMatch(/Você não pode enviar mensagens aqui até \d{1,2}:\d{2}/);
    expect(await axeFindings(s.visitor.page, 'chat-widget')).toEqual([]);
    await s.close();
  });
});
