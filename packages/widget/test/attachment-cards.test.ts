import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { axeFindings } from './helpers/axe.js';
import { screenshot, screenshotThemes, VIEWPORTS } from './helpers/browser.js';
import { png } from './helpers/png.js';
import { expectCleanPages, openAgentInbox, openVisitorChat, useServerAndBrowser } from './helpers/visitor-chat.js';

// Small, so a too-large file is quick to make (and under the Content-Length cut-off, so the body is read).
const MAX_UPLOAD_BYTES = 100 * 1024;
// 640×480 in flat 64-px tiles: a photo-sized image that compresses to a few KB.
const PHOTO = png(640, 480, (x, y) => [(x >> 6) * 24, 90 + (y >> 6) * 20, 200 - (x >> 6) * 12, 255]);
const PDF = Buffer.from('%PDF-1.4\ntrailer\n%%EOF\n'); // 23 bytes
const BIG_PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(120 * 1024, 0x20)]);
const EMOJI = /\p{Extended_Pictographic}/u;

interface Box {
  width: number;
  height: number;
}

const boxOf = (el: Locator): Promise<Box> =>
  el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    return { width: r.width, height: r.height };
  });

/** The element that has the focus, through shadow roots. */
function focused(page: Page) {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el
      ? { tag: el.tagName.toLowerCase(), className: el.getAttribute('class') ?? '', inDialog: el.closest('dialog') !== null }
      : null;
  });
}

describe('file cards, image boxes, the lightbox and upload errors', () => {
  const rig = useServerAndBrowser({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });

  /** A visitor past the pre-chat form, in the open widget (1280×800, light). */
  async function openWidget(name: string, { fakeClock = false } = {}) {
    const chat = await openVisitorChat(rig, { name, viewport: VIEWPORTS.desktop, theme: 'light', fakeClock });
    return {
      ...chat,
      async close(expectedErrors: RegExp | null = null) {
        // Chromium's local-network check refuses the WebSocket upgrade on 127.0.0.1 here (socket.io falls back to polling).
        const unexpected = chat.consoleErrors.filter((e) => !expectedErrors?.test(e));
        expect(unexpected).toEqual([]);
        await expectCleanPages(chat.page);
        await chat.context.close();
      },
    };
  }

  it('shows a PDF as a file card: an SVG icon, the name, a human size and a download link, no emoji', async () => {
    const { page, widget, sendFiles, close } = await openWidget('Ivy Invoice');
    const longName = 'quarterly-statement-for-the-account-ending-0042-final-v2.pdf';
    const message = await sendFiles(
      [
        { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF },
        { name: longName, mimeType: 'application/pdf', buffer: PDF },
      ],
      'attachments-composer-files',
    );
    const cards = message.locator('.files a.file-card[download]');
    await expect.poll(() => cards.count()).toBe(2);
    const card = message.locator('a.file-card[download="invoice.pdf"]');
    expect(await card.getAttribute('download')).toBe('invoice.pdf');
    expect(await card.locator('.file-name').textContent()).toBe('invoice.pdf');
    expect(PDF.length).toBe(23);
    expect(await card.locator('.file-size').textContent()).toBe('PDF · 23 B');
    expect(await message.getByRole('link', { name: 'invoice.pdf PDF · 23 B Download', exact: true }).count()).toBe(1);
    expect(await card.locator('svg.file-icon').getAttribute('class')).toBe('file-icon pdf');
    expect(await card.locator('svg.file-icon path').count()).toBeGreaterThan(1);
    expect(await message.textContent()).not.toMatch(EMOJI);
    const href = new URL((await card.getAttribute('href'))!);
    expect(href.origin).toBe(rig.server.url);
    expect(href.searchParams.has('access_token')).toBe(false);

    // A long name is cut with an ellipsis inside the bubble, and is whole in the title.
    const long = message.locator(`a.file-card[download="${longName}"]`);
    expect(await long.getAttribute('title')).toBe(longName);
    const name = long.locator('.file-name');
    const fit = await name.evaluate((el) => ({
      overflow: getComputedStyle(el).textOverflow,
      cut: el.scrollWidth > el.clientWidth,
    }));
    expect(fit).toEqual({ overflow: 'ellipsis', cut: true });
    const bubble = await boxOf(message.locator('.bubble'));
    expect((await boxOf(long)).width).toBeLessThanOrEqual(bubble.width);

    // The card's text keeps its contrast on the accent-coloured bubble, light and dark.
    for (const theme of ['light', 'dark']) {
      await widget.evaluate((el, t) => el.setAttribute('theme', t), theme);
      const colours = await card.evaluate((el) => {
        const bubbleEl = el.closest('.bubble')!;
        return { text: getComputedStyle(el).color, bubble: getComputedStyle(bubbleEl).color };
      });
      expect(colours.text).toBe(colours.bubble);
    }
    await widget.evaluate((el) => el.setAttribute('theme', 'light'));
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'attachments-file-card');
    await close();
  });

  it("renews a file's signed link before it runs out, and opens the lightbox on a fresh one", async () => {
    // The page's clock is Playwright's from the start (it runs as usual until the test moves it).
    const { page, sendFiles, close } = await openWidget('Rex Renew', { fakeClock: true });
    const message = await sendFiles([
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'photo.png', mimeType: 'image/png', buffer: PHOTO },
    ]);
    const card = message.locator('a.file-card[download="invoice.pdf"]');
    await expect.poll(() => card.getAttribute('href')).toMatch(/[?&]sig=/);
    const first = (await card.getAttribute('href'))!;
    const thumb = message.locator('button.thumb img');
    await expect.poll(() => thumb.getAttribute('src')).toMatch(/[?&]sig=/);
    const firstThumb = (await thumb.getAttribute('src'))!;
    // A new link differs from the old one in its expiry second: let a real second pass on the server.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Links live 10 minutes: move the page's clock 9.5 minutes on (no timers fire) and point at the card.
    await page.clock.setSystemTime(Date.now() + 9.5 * 60_000);
    await card.hover();
    await expect.poll(() => card.getAttribute('href')).not.toBe(first);
    const renewed = new URL((await card.getAttribute('href'))!);
    expect(Number(renewed.searchParams.get('exp'))).toBeGreaterThan(Number(new URL(first).searchParams.get('exp')));
    expect(await page.evaluate(async (url) => (await fetch(url)).status, renewed.href)).toBe(200);
    // The lightbox asks for the link again instead of trusting the thumbnail's.
    await message.locator('button.thumb').click();
    const full = page.locator('chat-widget').locator('dialog.lightbox img');
    await expect.poll(() => full.getAttribute('src')).toMatch(/[?&]sig=/);
    expect(await full.getAttribute('src')).not.toBe(firstThumb);
    await close();
  });

  it('reserves each image box from the stored width and height before the URL and the bytes arrive', async () => {
    const { page, context, widget, mine, sendFiles, close } = await openWidget('Rae Reserve');
    await sendFiles([{ name: 'photo.png', mimeType: 'image/png', buffer: PHOTO }], 'attachments-composer-image');

    // Reload with the image's URL and its bytes held back, to see the box before either arrives.
    let releaseLinks!: () => void;
    let releaseBytes!: () => void;
    const links = new Promise<void>((resolve) => (releaseLinks = resolve));
    const bytes = new Promise<void>((resolve) => (releaseBytes = resolve));
    await context.route(/\/v1\/uploads\/[^/?]+(\/thumbnail)?(\?.*)?$/, async (route) => {
      const request = route.request();
      await (request.method() === 'POST' ? links : bytes);
      await route.continue();
    });
    await page.reload();
    const panel = widget.locator('[part=panel]');
    await widget.locator('button.launcher').waitFor();
    if (!(await panel.isVisible())) await widget.locator('button.launcher').click();
    const thumb = mine.first().locator('button.thumb');
    await thumb.waitFor();
    const scroller = widget.locator('[part=messages]');
    const heightOf = () => scroller.evaluate((el) => el.scrollHeight);

    const before = await boxOf(thumb);
    expect(before.width).toBeGreaterThan(100);
    expect(before.width / before.height).toBeCloseTo(640 / 480, 2);
    const contentBefore = await heightOf();
    releaseLinks();
    await expect.poll(() => thumb.locator('img').count()).toBe(1);
    expect(await thumb.locator('img').evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(0);
    expect(await boxOf(thumb)).toEqual(before);
    await screenshot(widget.locator('[part=panel]'), 'attachments-image-placeholder-desktop-light');
    releaseBytes();
    // The thread shows the thumbnail: 640×480 fits 480×480 as 480×360.
    await expect.poll(() => thumb.locator('img').evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(480);
    expect(await boxOf(thumb)).toEqual(before);
    expect(await heightOf()).toBe(contentBefore);
    await context.unroute(/\/v1\/uploads\/[^/?]+(\/thumbnail)?(\?.*)?$/);
    await screenshotThemes(page, widget, 'attachments-image-in-thread');
    await close();
  });

  it('opens an image in the lightbox on click and on Enter; Escape closes it and the focus returns to the image', async () => {
    const { page, widget, sendFiles, close } = await openWidget('Lux Lightbox');
    const message = await sendFiles([{ name: 'photo.png', mimeType: 'image/png', buffer: PHOTO }]);
    const thumb = message.locator('button.thumb');
    await expect.poll(() => thumb.locator('img').evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(480);
    const dialog = widget.getByRole('dialog', { name: 'photo.png' });

    await thumb.click();
    await dialog.waitFor();
    expect(await dialog.evaluate((el) => (el as HTMLDialogElement).open && el.matches(':modal'))).toBe(true);
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await focused(page)).toMatchObject({ inDialog: true });
    const full = dialog.locator('img');
    expect(await full.getAttribute('alt')).toBe('photo.png');
    await expect.poll(() => full.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(640);
    const src = new URL(await full.evaluate((el: HTMLImageElement) => el.src));
    expect(src.origin).toBe(rig.server.url);
    expect(src.searchParams.has('access_token')).toBe(false);
    expect(await dialog.locator('a[download]').getAttribute('href')).toBe(await full.getAttribute('src'));
    // No new tab, no navigation: the lightbox is inside the component.
    expect(page.context().pages()).toHaveLength(1);

    // Tab stays inside while it is open.
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatchObject({ inDialog: true });
    }
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'attachments-lightbox');

    // At 375 px the image fits the screen.
    await page.setViewportSize(VIEWPORTS.phone);
    const fits = await boxOf(full);
    expect(fits.width).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    expect(fits.height).toBeLessThanOrEqual(VIEWPORTS.phone.height);
    await page.setViewportSize(VIEWPORTS.desktop);

    // Escape closes the lightbox only (not the chat panel), and the focus is back on the image.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused(page)).toMatchObject({ tag: 'button', className: 'thumb', inDialog: false });
    expect(await widget.locator('[part=panel]').isVisible()).toBe(true);

    // Enter on the focused image opens it; the close button and a click beside the image close it.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close image' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused(page)).toMatchObject({ className: 'thumb' });
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.mouse.click(20, VIEWPORTS.desktop.height - 20);
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused(page)).toMatchObject({ className: 'thumb' });
    await close();
  });

  it('says in words, with human sizes, why a file was not uploaded', async () => {
    const { page, widget, close } = await openWidget('Tom Toolarge');
    await widget.locator('[part=composer] input[type=file]').setInputFiles([
      { name: 'scan.pdf', mimeType: 'application/pdf', buffer: BIG_PDF },
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00') },
    ]);
    const errors = widget.locator('[part=composer] .file .error');
    await expect.poll(() => errors.count(), { timeout: 10_000 }).toBe(2);
    const texts = await errors.allTextContents();
    expect(texts).toContain('scan.pdf is larger than 100 KB');
    expect(texts).toContain("setup.exe can't be sent: this type of file is not accepted");
    expect(texts.join(' ')).not.toMatch(/\d{5,}/); // no raw byte counts
    expect(await errors.first().getAttribute('role')).toBe('alert');
    // Nothing to send: the failed files stay listed until removed.
    expect(await widget.locator('button[part=send-button]').isDisabled()).toBe(true);
    expect(await axeFindings(page, 'chat-widget', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, widget, 'attachments-size-error');
    await widget.getByRole('button', { name: 'Remove scan.pdf' }).click();
    await expect.poll(() => errors.count()).toBe(1);

    // The same error in Spanish and Portuguese.
    for (const [lang, expected] of [
      ['es', 'scan.pdf ocupa más de 100 KB'],
      ['pt-BR', 'scan.pdf é maior que 100 KB'],
    ] as const) {
      await widget.evaluate((el, l) => el.setAttribute('lang', l), lang);
      await widget
        .locator('[part=composer] input[type=file]')
        .setInputFiles([{ name: 'scan.pdf', mimeType: 'application/pdf', buffer: BIG_PDF }]);
      await expect.poll(() => errors.allTextContents(), { timeout: 10_000 }).toContain(expected);
    }
    // The refused uploads are the only failed requests.
    await close(/\b41[35]\b|status of 41[35]/);
  });

  it('keeps the message box at 16 px on a phone, Send in view at 375 px and the composer usable at 250 px', async () => {
    const { page, widget, close } = await openWidget('Nia Narrow');
    const input = widget.locator('textarea[part=input]');
    const send = widget.locator('button[part=send-button]');
    const composer = widget.locator('[part=composer]');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await input.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
    await input.fill('Hello there');
    const inside = async () => {
      const [c, s, i] = await Promise.all([composer, send, input].map((l) => l.evaluate((el) => el.getBoundingClientRect().toJSON())));
      return { sendInside: s.right <= c.right && s.left >= c.left, inputWidth: i.width, sendWidth: s.width };
    };
    expect(await inside()).toMatchObject({ sendInside: true });
    expect((await inside()).inputWidth).toBeGreaterThan(200);
    await page.setViewportSize(VIEWPORTS.desktop);

    // The panel squeezed to 250 px: the box stays wide enough to write in, Send stays whole.
    await widget.evaluate((el: HTMLElement) => el.style.setProperty('--chat-width', '250px'));
    const [c, s, i] = await Promise.all([composer, send, input].map((l) => l.evaluate((el) => el.getBoundingClientRect().toJSON())));
    expect(c.width).toBeLessThanOrEqual(250);
    expect(s.right).toBeLessThanOrEqual(c.right);
    expect(s.width).toBeGreaterThanOrEqual(40);
    expect(i.width).toBeGreaterThanOrEqual(120);
    expect(await composer.getByRole('button', { name: 'Send' }).count()).toBe(1);
    await screenshot(widget.locator('[part=panel]'), 'attachments-composer-250px');
    await close();
  });

  it('shows a drop hint while files are dragged over the messages, and none for dragged text', async () => {
    const { widget, close } = await openWidget('Dot Dragger');
    const list = widget.locator('[part=messages]');
    const hint = widget.locator('.drop-hint');
    const drag = (type: string, withFile: boolean) =>
      list.evaluate(
        (el, [t, file]) => {
          const data = new DataTransfer();
          if (file) data.items.add(new File(['x'], 'a.txt', { type: 'text/plain' }));
          else data.setData('text/plain', 'just text');
          const e = new DragEvent(t as string, { dataTransfer: data, bubbles: true, cancelable: true, composed: true });
          el.dispatchEvent(e);
          return e.defaultPrevented;
        },
        [type, withFile] as const,
      );
    expect(await drag('dragenter', false)).toBe(false);
    expect(await hint.count()).toBe(0);
    expect(await drag('dragenter', true)).toBe(true);
    await expect.poll(() => hint.textContent()).toBe('Drop files to attach');
    await drag('dragleave', true);
    await expect.poll(() => hint.count()).toBe(0);
    await close();
  });

  it('tells an agent on "/" that there are no saved replies yet; a visitor sees no hint', async () => {
    const { tenant, widget, mine, sendFiles, close } = await openWidget('Cal Canned');
    const visitorInput = widget.locator('textarea[part=input]');
    await visitorInput.fill('/');
    expect((await widget.locator('[part=composer] .hint').textContent())?.trim()).toBe('');
    await visitorInput.fill('hello');
    await visitorInput.press('Enter');
    await expect.poll(() => mine.count()).toBe(1);
    await sendFiles([{ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF }]);

    const { context: agentContext, page: agent, inbox, openConversation } = await openAgentInbox(rig, tenant, VIEWPORTS.desktop);
    await openConversation();
    const input = inbox.locator('textarea[part=input]');
    await input.waitFor();
    await input.fill('/');
    const hint = inbox.locator('[part=composer] .hint');
    await expect.poll(async () => (await hint.textContent())?.trim()).toBe('No saved replies yet');
    expect(await hint.getAttribute('role')).toBe('status');
    expect(await hint.isVisible()).toBe(true);
    // The visitor's file, as the agent sees it (on the neutral bubble).
    const card = inbox.locator('[part~=theirs] a.file-card[download="invoice.pdf"]');
    await card.waitFor();
    expect(await card.locator('.file-size').textContent()).toBe('PDF · 23 B');
    await screenshot(agent, 'attachments-canned-hint-desktop-light');
    await inbox.evaluate((el) => el.setAttribute('theme', 'dark'));
    await screenshot(agent, 'attachments-canned-hint-desktop-dark');
    await input.fill('/x y');
    await expect.poll(async () => (await hint.textContent())?.trim()).toBe('');
    expect(agent.problems).toEqual([]);
    await agentContext.close();
    await close();
  });
});
