import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { screenshot, VIEWPORTS } from './helpers/browser.js';
import { png } from './helpers/png.js';
import { expectCleanPages, openAgentInbox, openVisitorChat, useServerAndBrowser } from './helpers/visitor-chat.js';

// 1600×1200 in 100-px tiles with a diagonal band: large enough that the thumbnail (480×360) is a real reduction.
const PHOTO = png(1600, 1200, (x, y) => {
  const tx = Math.floor(x / 100);
  const ty = Math.floor(y / 100);
  const band = Math.abs(x * 0.75 - y) < 40;
  return band ? [250, 250, 250, 255] : [40 + tx * 12, 90 + ty * 10, 210 - tx * 8, 255];
});

interface Shown {
  path: string;
  naturalWidth: number;
  naturalHeight: number;
}

/** Where an `<img>` loaded from and how big its bytes decoded, once it has loaded. */
async function shown(img: Locator): Promise<Shown> {
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  return img.evaluate((el: HTMLImageElement) => ({
    path: new URL(el.src).pathname,
    naturalWidth: el.naturalWidth,
    naturalHeight: el.naturalHeight,
  }));
}

/** What the server answers for a URL, fetched from the page (same origin rules as the `<img>`). */
function fetchHead(page: Page, url: string) {
  return page.evaluate(async (href) => {
    const res = await fetch(href);
    return { status: res.status, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
  }, url);
}

describe('images in the thread: thumbnails inline, the full image in the lightbox', () => {
  const rig = useServerAndBrowser();

  it('shows an image message by its thumbnail on both sides and the full image in the lightbox', async () => {
    const chat = await openVisitorChat(rig, { name: 'Tia Thumb', viewport: VIEWPORTS.desktop, theme: 'light' });
    const { tenant, page: visitor, widget, mine, consoleErrors } = chat;

    // The composer previews the upload by its thumbnail too.
    await chat.pickFiles([{ name: 'tiles.png', mimeType: 'image/png', buffer: PHOTO }]);
    const preview = widget.locator('[part=composer] .file img');
    await expect.poll(() => preview.count(), { timeout: 10_000 }).toBe(1);
    expect(await shown(preview)).toMatchObject({ path: expect.stringMatching(/^\/v1\/uploads\/[^/]+\/thumbnail$/), naturalWidth: 480 });
    await widget.locator('textarea[part=input]').fill('The tiles, as promised');
    await widget.locator('button[part=send-button]').click();
    await expect.poll(() => mine.count()).toBe(1);

    const thumb = mine.first().locator('.files button.thumb > img');
    const inline = await shown(thumb);
    expect(inline).toEqual({ path: expect.stringMatching(/^\/v1\/uploads\/[^/]+\/thumbnail$/), naturalWidth: 480, naturalHeight: 360 });
    const id = inline.path.split('/')[3]!;
    const thumbSrc = await thumb.evaluate((el: HTMLImageElement) => el.src);
    expect(new URL(thumbSrc).searchParams.has('sig')).toBe(true);
    const thumbBytes = await fetchHead(visitor, thumbSrc);
    expect(thumbBytes).toMatchObject({ status: 200, type: 'image/webp' });
    expect(thumbBytes.bytes).toBeLessThan(PHOTO.length);

    await screenshot(widget.locator('[part=panel]'), 'image-thumbnail-desktop-light');
    await visitor.setViewportSize(VIEWPORTS.phone);
    await visitor.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await screenshot(visitor, 'image-thumbnail-phone-light');
    await visitor.setViewportSize(VIEWPORTS.desktop);

    // The lightbox loads the file itself, full size, and its download link is that same file.
    await mine.first().locator('.files button.thumb').click();
    const dialog = widget.getByRole('dialog', { name: 'tiles.png' });
    await dialog.waitFor();
    const full = dialog.locator('img');
    expect(await shown(full)).toEqual({ path: `/v1/uploads/${id}`, naturalWidth: 1600, naturalHeight: 1200 });
    const fullSrc = await full.evaluate((el: HTMLImageElement) => el.src);
    expect(await dialog.locator('a[download]').getAttribute('href')).toBe(await full.getAttribute('src'));
    expect(await fetchHead(visitor, fullSrc)).toMatchObject({ status: 200, type: 'image/png' });
    await visitor.setViewportSize(VIEWPORTS.phone);
    await visitor.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await screenshot(visitor, 'image-lightbox-full-phone-light');
    await visitor.setViewportSize(VIEWPORTS.desktop);
    await visitor.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    // The agent's inbox shows the same thumbnail and opens the same full image.
    const { context: agentContext, page: agent, inbox, openConversation } = await openAgentInbox(rig, tenant, VIEWPORTS.desktop);
    await openConversation();
    const theirs = inbox.locator('[part~=message][part~=theirs]');
    await expect.poll(() => theirs.count()).toBe(1);
    const agentThumb = await shown(theirs.first().locator('.files button.thumb > img'));
    expect(agentThumb).toEqual({ path: `/v1/uploads/${id}/thumbnail`, naturalWidth: 480, naturalHeight: 360 });
    await screenshot(agent, 'image-thumbnail-inbox-desktop-light');
    await theirs.first().locator('.files button.thumb').click();
    const agentFull = inbox.getByRole('dialog', { name: 'tiles.png' }).locator('img');
    expect(await shown(agentFull)).toEqual({ path: `/v1/uploads/${id}`, naturalWidth: 1600, naturalHeight: 1200 });

    expect(consoleErrors.filter((e) => !/WebSocket/i.test(e))).toEqual([]);
    await expectCleanPages(visitor, agent);
    await Promise.all([chat.context.close(), agentContext.close()]);
  });
});
