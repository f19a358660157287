import type { PageDto, StartConversationResult, SupportInboxItemDto } from '@confab/protocol';
import { type ChatClient, createClient, type MessageDto, type Room } from '@confab/sdk';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { itemAt } from '../../server/test/helpers/items.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  type HostPage,
  launchBrowser,
  openHostPage,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const GREETING = 'Hi there! Ask us anything.';

/** A visitor with the widget open and one message sent, and an agent ("Ana Agent") watching the conversation through the SDK. */
interface Scene {
  context: BrowserContext;
  page: HostPage;
  widget: Locator;
  agent: ChatClient;
  room: Room;
  close(): Promise<void>;
}

/** The element focused inside the widget's shadow roots: its data-id, class and text. */
function focused(page: HostPage): Promise<{ id: string | null; cls: string; part: string; label: string; text: string } | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const attr = (name: string) => el.getAttribute(name) ?? '';
    return {
      id: el.getAttribute('data-id'),
      cls: attr('class'),
      part: attr('part'),
      label: attr('aria-label'),
      text: (el.textContent ?? '').trim(),
    };
  });
}

describe('message actions in the shared thread', () => {
  let server: TestServer;
  let browser: Browser;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function scene(
    first = 'Hello, I need help with my order',
    viewport: { width: number; height: number } = VIEWPORTS.desktop,
    device: { hasTouch?: boolean; isMobile?: boolean } = {},
  ) {
    const n = ++seq;
    const tenant = await server.createTenant(['http://127.0.0.1:*']);
    const context = await browser.newContext({ viewport, ...device });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" greeting="${GREETING}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await widget.locator('textarea[part=input]').fill(first);
    await widget.locator('textarea[part=input]').press('Enter');
    await expect.poll(() => widget.locator('[part~=message][part~=mine]').count()).toBe(1);

    const session = await server.member(tenant, `agent-actions-${n}`, { role: 'agent', name: 'Ana Agent' });
    const list = await server.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { token: session.accessToken });
    const agent = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    await agent.connectSession(session);
    const room = await agent.room(itemAt(list.body.items, 0).id).watch();
    return {
      context,
      page,
      widget,
      agent,
      room,
      async close() {
        await agent.logout().catch(() => undefined);
        await context.close();
      },
    } satisfies Scene;
  }

  const theirs = (widget: Locator) => widget.locator('[part~=message][part~=theirs]:not([part~=greeting])');
  const mine = (widget: Locator) => widget.locator('[part~=message][part~=mine]');

  /** Opens a message's menu the way a mouse user does: hover shows the actions button, a click opens it. */
  async function openMenu(message: Locator): Promise<Locator> {
    await message.locator('.bubble').hover();
    await message.locator('.more').click();
    const sheet = message.locator('.sheet');
    await expect.poll(() => sheet.count()).toBe(1);
    return sheet;
  }

  it("shows an agent's name and initials avatar, typing as dots with a name, and the time at the bubble's edge", async () => {
    const { page, widget, room, close } = await scene();
    try {
      await room.send('Sure, which order is it?');
      const reply = theirs(widget).first();
      await expect.poll(() => reply.textContent()).toContain('Sure, which order is it?');
      expect((await reply.locator('.sender').textContent())?.trim()).toBe('Ana Agent');
      const avatar = reply.locator('.avatar');
      expect((await avatar.textContent())?.trim()).toBe('AA');
      const avatarBox = (await avatar.boundingBox())!;
      const bubbleBox = (await reply.locator('.bubble').boundingBox())!;
      expect(avatarBox.x + avatarBox.width).toBeLessThanOrEqual(bubbleBox.x);
      // The visitor's own messages carry no avatar.
      expect(await mine(widget).locator('.avatar').count()).toBe(0);

      // Time and ticks sit at the bubble's edge; the actions button takes no room until hovered.
      const own = mine(widget).first();
      const ownBubble = (await own.locator('.bubble').boundingBox())!;
      const ownMeta = (await own.locator('.meta').boundingBox())!;
      expect(Math.abs(ownBubble.x + ownBubble.width - (ownMeta.x + ownMeta.width))).toBeLessThanOrEqual(12);
      const theirMeta = (await reply.locator('.meta').boundingBox())!;
      expect(Math.abs(theirMeta.x - bubbleBox.x)).toBeLessThanOrEqual(12);
      const opacity = () => own.locator('.more').evaluate((el) => getComputedStyle(el).opacity);
      await widget.locator('textarea[part=input]').focus();
      expect(await opacity()).toBe('0');
      await own.locator('.bubble').hover();
      expect(await opacity()).toBe('1');

      // The greeting follows the first day's separator.
      const day = (await widget.locator('.day').first().boundingBox())!;
      const greeting = (await widget.locator('[part~=greeting]').boundingBox())!;
      expect(greeting.y).toBeGreaterThan(day.y);

      // The agent types: three dots in a bubble, named for screen readers.
      await widget.locator('textarea[part=input]').focus();
      room.typing();
      const typing = widget.locator('.typing');
      await expect.poll(() => typing.locator('.dots i').count(), { timeout: 10_000 }).toBe(3);
      expect(await typing.locator('.dots').isVisible()).toBe(true);
      expect(await typing.ariaSnapshot()).toContain('Ana Agent is typing');
      expect((await typing.locator('.avatar').textContent())?.trim()).toBe('AA');
      expect(page.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the greeting alone before the first message', async () => {
    const tenant = await server.createTenant(['http://127.0.0.1:*']);
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" greeting="${GREETING}"></chat-widget>` });
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part~=greeting]').textContent()).toContain(GREETING);
    expect(await widget.locator('.day').count()).toBe(0);
    await context.close();
  });

  it('replies with a quote in the composer and on the sent message; a click on the quote goes to the original', async () => {
    const { page, widget, room, close } = await scene();
    try {
      const original = await room.send('Which size did you order?');
      for (let i = 1; i <= 12; i++) await room.send(`Meanwhile, note number ${i} about shipping.`);
      await expect.poll(() => theirs(widget).count()).toBe(13);
      const message = widget.locator(`[data-id="${original.id}"]`);
      await message.scrollIntoViewIfNeeded();
      const sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'Reply' }).click();

      const bar = widget.locator('[part=reply-preview]');
      await expect.poll(() => bar.textContent()).toContain('Replying to Ana Agent');
      expect(await bar.textContent()).toContain('Which size did you order?');
      await expect.poll(async () => (await focused(page))?.part).toBe('input');
      // Escape drops the reply, not the chat.
      await page.keyboard.press('Escape');
      await expect.poll(() => bar.count()).toBe(0);
      expect(await widget.getAttribute('open')).not.toBe(null);
      // And the × does too.
      await openMenu(message).then((s) => s.getByRole('button', { name: 'Reply' }).click());
      await widget.getByRole('button', { name: 'Cancel reply' }).click();
      await expect.poll(() => bar.count()).toBe(0);

      await openMenu(message).then((s) => s.getByRole('button', { name: 'Reply' }).click());
      await widget.locator('textarea[part=input]').fill('A medium, please');
      await widget.locator('textarea[part=input]').press('Enter');
      await expect.poll(() => bar.count()).toBe(0);
      const sent = mine(widget).last();
      await expect.poll(() => sent.locator('.quote').textContent()).toContain('Which size did you order?');
      expect(await sent.locator('.quote-name').textContent()).toContain('Ana Agent');
      await expect
        .poll(() => room.state.get().messages.find((m: MessageDto) => m.text === 'A medium, please')?.replyToId, { timeout: 10_000 })
        .toBe(original.id);

      // The original is out of view; the quote brings it back and focuses it.
      const scroller = widget.locator('[part=messages]');
      const inView = async () => {
        const box = (await message.boundingBox())!;
        const list = (await scroller.boundingBox())!;
        return box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1;
      };
      await expect.poll(inView).toBe(false);
      await sent.locator('.quote').click();
      await expect.poll(inView).toBe(true);
      expect((await focused(page))?.id).toBe(original.id);
      expect(await message.getAttribute('class')).toContain('flash');
      expect(page.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('reacts with a quick reaction and with the emoji picker (by keyboard)', async () => {
    const { page, widget, room, close } = await scene();
    try {
      const reply = await room.send('Your order ships tomorrow.');
      const message = widget.locator(`[data-id="${reply.id}"]`);
      await expect.poll(() => message.count()).toBe(1);
      const sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'React with 👍' }).click();
      const chip = message.locator('.reaction');
      await expect.poll(() => chip.first().textContent()).toContain('👍');
      expect(await chip.first().getAttribute('aria-pressed')).toBe('true');
      expect(await message.locator('.sheet').count()).toBe(0);

      const again = await openMenu(message);
      await again.getByRole('button', { name: 'More reactions' }).click();
      const picker = message.locator('.picker');
      await expect.poll(() => picker.count()).toBe(1);
      expect(await picker.locator('button').count()).toBeGreaterThanOrEqual(40);
      await expect.poll(async () => (await focused(page))?.text).toBe('😀');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowDown');
      expect((await focused(page))?.text).toBe('😘');
      await page.keyboard.press('Enter');
      await expect.poll(() => chip.allTextContents()).toEqual([expect.stringContaining('👍'), expect.stringContaining('😘')]);
      await expect.poll(() => picker.count()).toBe(0);
      expect((await focused(page))?.cls).toContain('more');
      await expect
        .poll(() =>
          room.state
            .get()
            .messages.find((m: MessageDto) => m.id === reply.id)
            ?.reactions.map((r) => r.emoji),
        )
        .toEqual(['👍', '😘']);

      // Escape closes the picker and gives the focus back to the actions button.
      await message.locator('.more').click();
      await message.getByRole('button', { name: 'More reactions' }).click();
      await expect.poll(() => picker.count()).toBe(1);
      await page.keyboard.press('Escape');
      await expect.poll(() => picker.count()).toBe(0);
      expect((await focused(page))?.cls).toContain('more');
      expect(await widget.getAttribute('open')).not.toBe(null);
      expect(page.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('asks before deleting inside the thread (no browser dialog); Cancel and Escape keep the message', async () => {
    const { page, widget, close } = await scene('Oops, wrong message');
    try {
      const message = mine(widget).first();
      await expect.poll(() => message.getAttribute('data-status')).not.toBe('pending');
      let sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'Delete' }).click();
      const confirm = widget.getByRole('alertdialog', { name: 'Delete this message?' });
      await expect.poll(() => confirm.count()).toBe(1);
      expect((await focused(page))?.text).toBe('Cancel');
      await page.keyboard.press('Escape');
      await expect.poll(() => confirm.count()).toBe(0);
      expect((await focused(page))?.cls).toContain('more');
      expect(await message.textContent()).toContain('Oops, wrong message');

      sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'Delete' }).click();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => confirm.count()).toBe(0);
      expect(await message.textContent()).toContain('Oops, wrong message');
      expect(await message.getAttribute('class')).not.toContain('deleted');

      sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'Delete' }).click();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => message.textContent()).toContain('This message was removed');
      expect(page.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('edits your own message in place', async () => {
    const { page, widget, close } = await scene('I ordered a smal');
    try {
      const message = mine(widget).first();
      await expect.poll(() => message.getAttribute('data-status')).not.toBe('pending');
      const sheet = await openMenu(message);
      await sheet.getByRole('button', { name: 'Edit' }).click();
      const box = message.getByRole('textbox', { name: 'Edit message' });
      await expect.poll(async () => (await focused(page))?.label).toBe('Edit message');
      expect(await box.inputValue()).toBe('I ordered a smal');
      await box.fill('I ordered a small');
      await box.press('Enter');
      await expect.poll(() => message.locator('.text').textContent()).toBe('I ordered a small');
      expect(await message.locator('.meta').textContent()).toContain('edited');
      expect(page.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('on a touch screen, a tap on a message shows its actions button', async () => {
    const { widget, close } = await scene('Tap me', VIEWPORTS.phone, { hasTouch: true, isMobile: true });
    try {
      const message = mine(widget).first();
      await expect.poll(() => message.getAttribute('data-status')).not.toBe('pending');
      const more = message.locator('.more');
      await message.locator('.bubble').tap();
      await expect.poll(() => more.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
      expect(await message.getAttribute('class')).toContain('touched');
      await more.tap();
      await expect.poll(() => message.locator('.sheet').count()).toBe(1);
    } finally {
      await close();
    }
  });

  it("in the inbox, shows the visitor's full name and avatar and replies with a quote", async () => {
    const tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'olga-replies', 'olga-password-1', 'Olga');
    const visitor = await server.member(tenant, 'alice-replies', { name: 'Alice', lastName: 'Liddell' });
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'I was charged twice for order #4417', clientId: 'start-alice-replies' },
    });
    expect(started.status).toBe(201);
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await openHostPage(context, server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
    try {
      const inbox = page.locator('chat-inbox');
      await inbox.locator('input[name=username]').fill('olga-replies');
      await inbox.locator('input[name=password]').fill('olga-password-1');
      await inbox.locator('form.signin button[type=submit]').click();
      await inbox.locator('button.item').first().click();
      const message = inbox.locator(`[data-id="${started.body.message!.id}"]`);
      await expect.poll(() => message.locator('.sender').textContent()).toBe('Alice Liddell');
      expect((await message.locator('.avatar').textContent())?.trim()).toBe('AL');

      await openMenu(message).then((sheet) => sheet.getByRole('button', { name: 'Reply' }).click());
      await expect.poll(() => inbox.locator('[part=reply-preview]').textContent()).toContain('Replying to Alice Liddell');
      await inbox.locator('textarea[part=input]').fill('Sorry about that, refunding one now');
      await inbox.locator('textarea[part=input]').press('Enter');
      const sent = inbox.locator('[part~=message][part~=mine]').last();
      await expect.poll(() => sent.locator('.quote').textContent()).toContain('I was charged twice');
      await expect
        .poll(async () => {
          const list = await server.request<PageDto<MessageDto>>('GET', `/v1/rooms/${started.body.id}/messages`, {
            token: visitor.accessToken,
          });
          return list.body.items.find((m) => m.text === 'Sorry about that, refunding one now')?.replyToId;
        })
        .toBe(started.body.message!.id);
      await screenshot(page, 'message-inbox-reply-desktop-light');
      expect(page.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('saves screenshots of the thread, a reply being written, the emoji picker, the delete confirmation and typing', async () => {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      const { page, widget, room, close } = await scene('Hello, my parcel has not arrived yet', viewport);
      // At 1280 px the panel is a corner of the page: keep just it, so the details can be seen.
      const shot = (name: string) => screenshot(size === 'phone' ? page : widget.locator('[part=panel]'), name);
      try {
        const question = await room.send('Sorry to hear that! Could you tell me the order number?');
        await room.react(question.id, '👍');
        await expect.poll(() => theirs(widget).count()).toBe(1);
        const agentMessage = widget.locator(`[data-id="${question.id}"]`);
        await openMenu(agentMessage).then((s) => s.getByRole('button', { name: 'React with ❤️' }).click());
        await openMenu(agentMessage).then((s) => s.getByRole('button', { name: 'Reply' }).click());
        await widget.locator('textarea[part=input]').fill('It is #1234, ordered last Monday');
        await widget.locator('textarea[part=input]').press('Enter');
        await expect.poll(() => mine(widget).count()).toBe(2);
        await room.send('Thanks! It left our warehouse this morning.');
        await room.send('You should get it by Friday.');
        await expect.poll(() => theirs(widget).count()).toBe(3);
        await expect.poll(() => mine(widget).last().locator('.quote').count()).toBe(1);

        for (const theme of ['light', 'dark']) {
          await widget.evaluate((el, t) => el.setAttribute('theme', t), theme);
          await page.mouse.move(0, 0);
          await widget.locator('textarea[part=input]').focus();
          await shot(`message-thread-${size}-${theme}`);
          expect(await axeFindings(page, 'chat-widget'), `thread, ${size}, ${theme}`).toEqual([]);

          const last = theirs(widget).last();
          await openMenu(last).then((s) => s.getByRole('button', { name: 'Reply' }).click());
          await widget.locator('textarea[part=input]').fill('Great, thank you');
          await shot(`message-reply-composing-${size}-${theme}`);
          expect(await axeFindings(page, 'chat-widget'), `reply-composing, ${size}, ${theme}`).toEqual([]);
          await widget.getByRole('button', { name: 'Cancel reply' }).click();
          await widget.locator('textarea[part=input]').fill('');

          await openMenu(last);
          await shot(`message-menu-${size}-${theme}`);
          expect(await axeFindings(page, 'chat-widget'), `menu, ${size}, ${theme}`).toEqual([]);
          await last.getByRole('button', { name: 'More reactions' }).click();
          await expect.poll(() => last.locator('.picker').count()).toBe(1);
          await last.locator('.picker').scrollIntoViewIfNeeded();
          await shot(`message-emoji-picker-${size}-${theme}`);
          expect(await axeFindings(page, 'chat-widget'), `emoji-picker, ${size}, ${theme}`).toEqual([]);
          await page.keyboard.press('Escape');

          const own = mine(widget).last();
          await openMenu(own).then((s) => s.getByRole('button', { name: 'Delete' }).click());
          await own.locator('.confirm').scrollIntoViewIfNeeded();
          await shot(`message-delete-confirm-${size}-${theme}`);
          expect(await axeFindings(page, 'chat-widget'), `delete-confirm, ${size}, ${theme}`).toEqual([]);
          await page.keyboard.press('Escape');

          const keepTyping = setInterval(() => room.typing(), 500);
          try {
            room.typing();
            await expect.poll(() => widget.locator('.typing.on').count(), { timeout: 10_000 }).toBe(1);
            await widget.locator('[part=messages]').evaluate((el) => el.scrollTo({ top: el.scrollHeight, behavior: 'instant' }));
            await page.mouse.move(0, 0);
            await widget.locator('textarea[part=input]').focus();
            await shot(`message-typing-${size}-${theme}`);
            expect(await axeFindings(page, 'chat-widget'), `typing, ${size}, ${theme}`).toEqual([]);
          } finally {
            clearInterval(keepTyping);
          }
        }
        expect(page.problems).toEqual([]);
      } finally {
        await close();
      }
    }
  });
});
