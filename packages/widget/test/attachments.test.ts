import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import type { HostPage } from './helpers/browser.js';
import { png, type Rgba } from './helpers/png.js';
import { expectCleanPages, openAgentInbox, openVisitorChat, useServerAndBrowser } from './helpers/visitor-chat.js';

/** The colour of pixel (x, y) in the test images: every pixel differs. */
const colour = (x: number, y: number): Rgba => [x * 60, y * 80, 200 - x * 10 - y * 5, 255];

const PHOTO = png(4, 3, colour);
const NOTES = 'Order 1234\nTracking: none yet <b>not bold</b>\n';

interface Loaded {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  src: string;
  /** The bottom-right pixel, read back through a canvas (so the bytes the server sent decoded). */
  corner: number[] | null;
}

/** How an `<img>` loaded, once it has. */
function loaded(img: Locator): Promise<Loaded> {
  return img.evaluate(async (el: HTMLImageElement) => {
    if (el.complete && el.naturalWidth) await el.decode().catch(() => undefined);
    let corner: number[] | null = null;
    if (el.complete && el.naturalWidth) {
      const canvas = document.createElement('canvas');
      canvas.width = el.naturalWidth;
      canvas.height = el.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(el, 0, 0);
      corner = [...ctx.getImageData(el.naturalWidth - 1, el.naturalHeight - 1, 1, 1).data];
    }
    return { complete: el.complete, naturalWidth: el.naturalWidth, naturalHeight: el.naturalHeight, src: el.src, corner };
  });
}

describe('attachments in <chat-widget> and <chat-inbox>', () => {
  const rig = useServerAndBrowser();

  /** A tenant with one agent, a visitor past the pre-chat form, and a signed-in agent (open). */
  async function setup(name: string) {
    const visitor = await openVisitorChat(rig, { name });
    const agent = await openAgentInbox(rig, visitor.tenant);
    return {
      visitor: visitor.page,
      widget: visitor.widget,
      agent: agent.page,
      inbox: agent.inbox,
      pickFiles: visitor.pickFiles,
      selectConversation: agent.openConversation,
      async close() {
        await expectCleanPages(visitor.page, agent.page);
        await Promise.all([visitor.context.close(), agent.context.close()]);
      },
    };
  }

  /** Expects the image message to show the 4x3 PNG's thumbnail, loaded from the server, as a button that opens it full size. */
  async function expectPhoto(page: HostPage, message: Locator): Promise<void> {
    const img = message.locator('.files button.thumb > img');
    await expect.poll(() => img.count()).toBe(1);
    expect(await img.getAttribute('alt')).toBe('photo.png');
    await expect.poll(async () => (await loaded(img)).naturalWidth, { timeout: 10_000 }).toBeGreaterThan(0);
    const state = await loaded(img);
    expect(state).toMatchObject({ complete: true, naturalWidth: 4, naturalHeight: 3 });
    // The thumbnail is lossy WebP (chroma shared by 2×2 pixels): near the original's colours; the lightbox has them exactly.
    const want = colour(3, 2);
    state.corner!.forEach((channel, i) => expect(Math.abs(channel - want[i]!)).toBeLessThanOrEqual(48));
    const src = new URL(state.src);
    expect(src.origin).toBe(rig.server.url);
    expect(src.pathname).toMatch(/^\/v1\/uploads\/[^/]+\/thumbnail$/);
    const open = message.locator('.files button.thumb');
    expect(await open.getAttribute('aria-haspopup')).toBe('dialog');
    expect(await open.getAttribute('aria-label')).toContain('photo.png');
    await open.click();
    const full = page.locator(':is(chat-widget, chat-inbox)').getByRole('dialog', { name: 'photo.png' }).locator('img');
    await expect.poll(async () => (await loaded(full)).naturalWidth, { timeout: 10_000 }).toBeGreaterThan(0);
    const fullState = await loaded(full);
    expect(fullState).toMatchObject({ complete: true, naturalWidth: 4, naturalHeight: 3, corner: colour(3, 2) });
    expect(new URL(fullState.src).pathname).toBe(src.pathname.replace(/\/thumbnail$/, ''));
    await page.keyboard.press('Escape');
    await expect.poll(() => full.count()).toBe(0);
    expect(page.problems).toEqual([]);
  }

  it('sends a picked image: previewed while composing, shown loaded on both sides', async () => {
    const { visitor, widget, agent, inbox, selectConversation, close } = await setup('Pat Picker');
    const composerFile = widget.locator('[part=composer] .file');
    await widget.locator('[part=composer] input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PHOTO });
    await expect.poll(() => composerFile.count()).toBe(1);
    expect(await composerFile.locator('.name').textContent()).toBe('photo.png');
    // Once uploaded, the preview is the server's copy (no blob: URL under the strict CSP).
    const preview = composerFile.locator('img');
    await expect.poll(() => preview.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await loaded(preview)).naturalWidth, { timeout: 10_000 }).toBe(4);
    expect(new URL(await preview.evaluate((el: HTMLImageElement) => el.src)).origin).toBe(rig.server.url);
    expect(await composerFile.locator('progress').count()).toBe(0);

    // An image alone is a message.
    await widget.locator('button[part=send-button]').click();
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.count()).toBe(1);
    await expect.poll(() => mine.first().getAttribute('data-status')).toMatch(/^(sent|delivered|read)$/);
    await expect.poll(() => composerFile.count()).toBe(0);
    await expectPhoto(visitor, mine.first());

    await selectConversation();
    expect(await inbox.locator('button.item .preview').textContent()).toBe('Attachment');
    const theirs = inbox.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.count()).toBe(1);
    await expectPhoto(agent, theirs.first());
    await close();
  });

  it('sends a text file as a download link, not an image', async () => {
    const { widget, inbox, agent, pickFiles, selectConversation, close } = await setup('Tess Text');
    const input = widget.locator('textarea[part=input]');
    await pickFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTES) }]);
    expect(await widget.locator('[part=composer] .file img').count()).toBe(0);
    await input.fill('Here are my notes');
    await input.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.count()).toBe(1);

    await selectConversation();
    const theirs = inbox.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.count()).toBe(1);
    for (const message of [mine.first(), theirs.first()]) {
      expect(await message.locator('.text').textContent()).toBe('Here are my notes');
      const link = message.locator('.files a[download]');
      await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
      expect(await link.getAttribute('download')).toBe('notes.txt');
      expect(await message.getByRole('link', { name: /^notes\.txt TXT · \d+ B Download$/ }).count()).toBe(1);
      expect(await link.textContent()).toContain('notes.txt');
      expect(await message.locator('img').count()).toBe(0);
      expect(new URL((await link.getAttribute('href'))!).origin).toBe(rig.server.url);
    }
    // The link fetches the file as text, as a download, with its bytes intact.
    const href = (await theirs.first().locator('.files a[download]').getAttribute('href'))!;
    const fetched = await agent.evaluate(async (url) => {
      const res = await fetch(url);
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        disposition: res.headers.get('content-disposition'),
        body: await res.text(),
      };
    }, href);
    expect(fetched).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      disposition: expect.stringMatching(/^attachment;/),
      body: NOTES,
    });
    await close();
  });

  it('takes an image dropped on the message list (visitor) and pasted into the message box (agent)', async () => {
    const { visitor, widget, agent, inbox, selectConversation, close } = await setup('Dee Dropper');
    const input = widget.locator('textarea[part=input]');
    await input.fill('hello');
    await input.press('Enter');
    await selectConversation();
    await inbox.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => inbox.locator('.pill').textContent()).toContain('Open');

    // Drop: a DataTransfer with a File, as a browser builds it for a dragged file.
    const dropped = await widget.locator('[part=messages]').evaluate((el, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'photo.png', { type: 'image/png' }));
      const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true, composed: true });
      el.dispatchEvent(over);
      const drop = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true, composed: true });
      el.dispatchEvent(drop);
      return { overAccepted: over.defaultPrevented, dropHandled: drop.defaultPrevented };
    }, PHOTO.toString('base64'));
    expect(dropped).toEqual({ overAccepted: true, dropHandled: true });
    const visitorPreview = widget.locator('[part=composer] .file img');
    await expect.poll(() => visitorPreview.count(), { timeout: 10_000 }).toBe(1);
    await input.press('Enter');
    const mine = widget.locator('[part~=message][part~=mine]');
    await expect.poll(() => mine.count()).toBe(2);
    await expectPhoto(visitor, mine.nth(1));
    const theirs = inbox.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.count()).toBe(2);
    await expectPhoto(agent, theirs.nth(1));

    // Paste: a ClipboardEvent carrying a file into the agent's message box.
    const agentInput = inbox.locator('textarea[part=input]');
    const pasted = await agentInput.evaluate((el, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'photo.png', { type: 'image/png' }));
      const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true });
      el.dispatchEvent(paste);
      return paste.defaultPrevented;
    }, PHOTO.toString('base64'));
    expect(pasted).toBe(true);
    await expect.poll(() => inbox.locator('[part=composer] .file img').count(), { timeout: 10_000 }).toBe(1);
    await agentInput.press('Enter');
    const agentOwn = inbox.locator('[part~=message][part~=mine]');
    await expect.poll(() => agentOwn.count()).toBe(1);
    await expectPhoto(agent, agentOwn.first());
    const fromAgent = widget.locator('[part~=message][part~=theirs]:not([part~=greeting])');
    await expect.poll(() => fromAgent.count()).toBe(1);
    await expectPhoto(visitor, fromAgent.first());
    await close();
  });
});
