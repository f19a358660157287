import type { AttachmentDto, StartConversationResult } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import {
  createAgent,
  type HostPage,
  launchBrowser,
  openHostPage,
  recordConsoleErrors,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';
import { png, type Rgba } from './helpers/png.js';

/** A message of the timeline (not the greeting, not a day separator). */
const ROW = '[part~=message][data-id]';
/** Pictures of a 30-message conversation (message number → width × height), the newest among them. */
const PICTURES: Record<number, [number, number]> = {
  4: [640, 480],
  11: [240, 320],
  17: [800, 300],
  23: [320, 320],
  26: [480, 640],
  28: [1000, 750],
  30: [600, 400],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A picture of the given size: a diagonal gradient whose hue follows `seed`, so each looks different. */
function picture(width: number, height: number, seed: number): Buffer {
  const from = [(seed * 97) % 256, (seed * 57 + 90) % 256, (seed * 31 + 180) % 256];
  return png(width, height, (x, y) => {
    const t = (x / width + y / height) / 2;
    return [from[0]! * (1 - t) + 150 * t, from[1]! * (1 - t) + 60 * t, from[2]! * (1 - t) + 140 * t, 255] as Rgba;
  });
}

/** What the reader sees of the message list. */
interface View {
  scrollTop: number;
  fromBottom: number;
  newest: string;
  /** The newest message is inside the list's box, and the box inside the window. */
  newestVisible: boolean;
  images: number;
  loaded: number;
  /** Pictures within 1200 px of the view (which lazy loading fetches) that have not loaded yet. */
  waiting: number;
  pill: boolean;
}

function view(list: Locator): Promise<View> {
  return list.evaluate((el, row) => {
    const box = el.getBoundingClientRect();
    const last = [...el.querySelectorAll(row)].at(-1);
    const r = last?.getBoundingClientRect();
    const images = [...el.querySelectorAll('img')];
    return {
      scrollTop: el.scrollTop,
      fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
      newest: last?.textContent ?? '',
      newestVisible: !!r && r.height > 0 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 && box.bottom <= innerHeight + 0.5,
      images: images.length,
      loaded: images.filter((img) => img.complete && img.naturalWidth > 0).length,
      waiting: images.filter((img) => {
        const at = img.getBoundingClientRect();
        return at.bottom > box.top - 1200 && at.top < box.bottom + 1200 && !(img.complete && img.naturalWidth > 0);
      }).length,
      pill: Boolean((el.getRootNode() as ShadowRoot).querySelector('.jump')),
    };
  }, ROW);
}

/** The first message in view and its offset from the list's top edge. */
function firstInView(list: Locator): Promise<{ id: string; top: number }> {
  return list.evaluate((el, row) => {
    const edge = el.getBoundingClientRect().top;
    const first = [...el.querySelectorAll<HTMLElement>(row)].find((m) => m.getBoundingClientRect().bottom > edge)!;
    return { id: first.dataset.id!, top: first.getBoundingClientRect().top - edge };
  }, ROW);
}

function topOf(list: Locator, id: string): Promise<number> {
  return list.evaluate((el, id) => el.querySelector(`[data-id="${id}"]`)!.getBoundingClientRect().top - el.getBoundingClientRect().top, id);
}

/** Two frames after now: whatever a resize or an image load would move has moved. */
function frames(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/** Waits until the list stops moving (a wheel scroll may animate). */
async function settled(list: Locator): Promise<void> {
  let previous = Number.NaN;
  await expect
    .poll(async () => {
      const { scrollTop } = await view(list);
      const same = scrollTop === previous;
      previous = scrollTop;
      return same;
    })
    .toBe(true);
}

/** Scrolls the list as a reader does, with the mouse wheel over it. */
async function wheel(page: Page, list: Locator, dy: number): Promise<void> {
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, dy);
  await settled(list);
}

/** Waits until every picture in or near the view has loaded (those far above wait, lazily, for the reader). */
async function loadedNear(page: Page, list: Locator): Promise<void> {
  await expect.poll(async () => (await view(list)).waiting, { timeout: 20_000 }).toBe(0);
  await frames(page);
}

/** Once the pictures near the view have loaded, the newest message sits fully in view at the bottom, no pill. */
async function expectAtNewest(page: Page, list: Locator, newest: string, pictures: number): Promise<void> {
  await expect.poll(async () => (await view(list)).newest).toContain(newest);
  await expect.poll(async () => (await view(list)).images).toBe(pictures);
  await loadedNear(page, list);
  const seen = await view(list);
  expect(seen, JSON.stringify(seen)).toMatchObject({ newestVisible: true, pill: false });
  expect(seen.fromBottom).toBeLessThanOrEqual(1);
  expect(seen.scrollTop).toBeGreaterThan(0);
}

describe('the timeline stays where the reader expects', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  /** The agent whose replies are seeded. */
  let hal: { accessToken: string };
  let seeded = 0;

  const hostToken = (externalId: string, name: string) =>
    jwt.sign({ name }, tenant.secret, { algorithm: 'HS256', subject: externalId, audience: tenant.id, expiresIn: '1h' });

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, 'tess', 'tess-password-1', 'Tess Agent');
    hal = await server.member(tenant, 'agent-hal', { role: 'agent', name: 'Hal Agent' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function upload(token: string, bytes: Buffer, name: string): Promise<AttachmentDto> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
    const res = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(res.status).toBe(201);
    return (await res.json()) as AttachmentDto;
  }

  async function post(roomId: string, token: string, n: number, size?: [number, number], text = `Message ${n}`): Promise<void> {
    const attachments = size ? [(await upload(token, picture(size[0], size[1], n), `photo-${n}.png`)).id] : [];
    const res = await server.request('POST', `/v1/rooms/${roomId}/messages`, {
      token,
      body: { clientId: `seed-${roomId}-${n}-${text.length}`, text, attachments },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  /** A visitor (signed in by the host page) and Hal talk: `count` messages, pictures where `pictures` says. */
  async function seed(name: string, count: number, pictures: Record<number, [number, number]>) {
    const externalId = `visitor-${++seeded}`;
    const visitor = await server.member(tenant, externalId, { name });
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'Message 1', clientId: `${externalId}-1` },
    });
    expect(started.status).toBe(201);
    const roomId = started.body.id;
    for (let n = 2; n <= count; n++) await post(roomId, n % 3 ? visitor.accessToken : hal.accessToken, n, pictures[n]);
    return { roomId, visitor, hostToken: hostToken(externalId, name), name };
  }

  /** A browser context whose pictures arrive late and out of order, as on a slow network. */
  async function slowContext(viewport: { width: number; height: number }, options: { reducedMotion?: 'reduce' } = {}) {
    const context = await browser.newContext({ viewport, ...options });
    let n = 0;
    await context.route('**/v1/uploads/**', async (route) => {
      if (route.request().method() === 'GET') await sleep(150 + (n++ % 4) * 200);
      await route.continue();
    });
    return context;
  }

  /** Opens the widget of the seeded visitor from its launcher. */
  async function openWidget(context: BrowserContext, hostToken: string) {
    const page = await openHostPage(context, server, { body: `<chat-widget app="${tenant.id}" user-token="${hostToken}"></chat-widget>` });
    const errors = recordConsoleErrors(page);
    const widget = page.locator('chat-widget');
    await widget.locator('button.launcher').click();
    return { page, errors, widget, list: widget.locator('[part=messages]') };
  }

  function expectClean(page: HostPage, errors: string[]): void {
    expect(page.problems).toEqual([]);
    expect(errors).toEqual([]);
  }

  for (const [label, viewport] of Object.entries(VIEWPORTS)) {
    it(`opens a conversation with pictures in the widget at its newest message, fully in view once they load (${label})`, async () => {
      const { hostToken } = await seed(`Wendy ${label}`, 30, PICTURES);
      const context = await slowContext(viewport);
      const { page, errors, list } = await openWidget(context, hostToken);
      await expectAtNewest(page, list, 'Message 30', Object.keys(PICTURES).length);
      await screenshot(page, `timeline-opened-with-images-widget-${label}`);

      // Closed and opened again (as from the unread badge): the same.
      const widget = page.locator('chat-widget');
      await widget.locator('button.close').click();
      await expect.poll(() => list.count()).toBe(0);
      await widget.locator('button.launcher').click();
      await expectAtNewest(page, list, 'Message 30', Object.keys(PICTURES).length);
      expectClean(page, errors);
      await context.close();
    });

    it(`opens a conversation with pictures in the inbox at its newest message, fully in view once they load (${label})`, async () => {
      const { name } = await seed(`Ines ${label}`, 30, PICTURES);
      const context = await slowContext(viewport);
      const page = await openHostPage(context, server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>` });
      const errors = recordConsoleErrors(page);
      const inbox = page.locator('chat-inbox');
      await inbox.locator('input[name=username]').fill('tess');
      await inbox.locator('input[name=password]').fill('tess-password-1');
      await inbox.locator('form.signin button[type=submit]').click();
      await inbox.locator('button.item', { hasText: name }).click();
      const list = inbox.locator('[part=messages]');
      await expectAtNewest(page, list, 'Message 30', Object.keys(PICTURES).length);
      await screenshot(page, `timeline-opened-with-images-inbox-${label}`);
      expectClean(page, errors);
      await context.close();
    });

    it(`follows new messages at the bottom; scrolled up, shows the pill and stays put; own ones go to the bottom (${label})`, async () => {
      const { roomId, hostToken } = await seed(`Nora ${label}`, 30, PICTURES);
      // On the phone the reader prefers reduced motion: the pill jumps at once instead of scrolling smoothly.
      const reduced = label === 'phone';
      const context = await slowContext(viewport, reduced ? { reducedMotion: 'reduce' } : {});
      const { page, errors, list, widget } = await openWidget(context, hostToken);
      let pictures = Object.keys(PICTURES).length;
      await expectAtNewest(page, list, 'Message 30', pictures);

      // At the bottom, a reply with a picture arrives: the view follows it, also as the picture loads.
      await post(roomId, hal.accessToken, 31, [360, 480]);
      await expectAtNewest(page, list, 'Message 31', ++pictures);

      // Scrolled up, a reply arrives: the pill shows, nothing moves.
      await wheel(page, list, -700);
      const before = await view(list);
      expect(before.fromBottom).toBeGreaterThan(300);
      const place = await firstInView(list);
      await post(roomId, hal.accessToken, 32, [300, 200]);
      await expect.poll(async () => (await view(list)).pill).toBe(true);
      await expect.poll(async () => (await view(list)).images).toBe(pictures + 1);
      await loadedNear(page, list);
      expect(await topOf(list, place.id)).toBeCloseTo(place.top, 0);
      expect((await view(list)).scrollTop).toBeCloseTo(before.scrollTop, 0);
      const pill = widget.locator('.jump');
      expect(await pill.textContent()).toContain('New messages');
      await screenshot(page, `timeline-pill-shown-${label}`);

      // The pill takes the reader to the newest message and goes away.
      await pill.click();
      if (reduced) expect((await view(list)).fromBottom).toBeLessThanOrEqual(1);
      await expect.poll(async () => (await view(list)).fromBottom).toBeLessThanOrEqual(1);
      expect(await view(list)).toMatchObject({ newestVisible: true, pill: false });
      expect((await view(list)).newest).toContain('Message 32');

      // Scrolled up, the reader reaching the bottom again hides the pill.
      await wheel(page, list, -700);
      await post(roomId, hal.accessToken, 33);
      await expect.poll(async () => (await view(list)).pill).toBe(true);
      await wheel(page, list, 5000);
      await expect.poll(async () => (await view(list)).pill).toBe(false);

      // Scrolled up, their own message takes them to the bottom, with no pill.
      await wheel(page, list, -700);
      expect((await view(list)).fromBottom).toBeGreaterThan(300);
      const input = widget.locator('textarea[part=input]');
      await input.fill('Message 34 from me');
      await input.press('Enter');
      await expect.poll(async () => (await view(list)).newest).toContain('Message 34 from me');
      await expect.poll(async () => (await view(list)).fromBottom).toBeLessThanOrEqual(1);
      expect(await view(list)).toMatchObject({ newestVisible: true, pill: false });
      expectClean(page, errors);
      await context.close();
    });

    it(`holds the bottom, or the reader's place, while content grows after it is drawn (${label})`, async () => {
      const { hostToken } = await seed(`Gina ${label}`, 30, PICTURES);
      const context = await slowContext(viewport);
      const { page, errors, list } = await openWidget(context, hostToken);
      await expectAtNewest(page, list, 'Message 30', Object.keys(PICTURES).length);
      // A row grows with no render of the thread (as a picture without a reserved box, or a late font).
      const grow = (id: string | null, px: number) =>
        list.evaluate(
          (el, [row, id, px]) => {
            const rows = [...el.querySelectorAll<HTMLElement>(row as string)];
            const target = id ? rows[rows.findIndex((r) => r.dataset.id === id) - 1]! : rows.at(-1)!;
            target.style.paddingBottom = `${px}px`;
          },
          [ROW, id, px] as const,
        );

      await grow(null, 120);
      await frames(page);
      expect(await view(list)).toMatchObject({ newestVisible: true, pill: false });
      expect((await view(list)).fromBottom).toBeLessThanOrEqual(1);

      // Scrolled up, a row above the first one in view grows: what the reader sees does not move.
      await wheel(page, list, -700);
      const place = await firstInView(list);
      await grow(place.id, 250);
      await frames(page);
      expect(Math.abs((await topOf(list, place.id)) - place.top)).toBeLessThanOrEqual(1);

      // Back at the bottom, the window (so the panel) gets shorter: still at the bottom.
      await wheel(page, list, 20_000);
      await page.setViewportSize({ width: viewport.width, height: viewport.height - 150 });
      await expect.poll(async () => (await view(list)).fromBottom).toBeLessThanOrEqual(1);
      expect(await view(list)).toMatchObject({ newestVisible: true });

      // Hidden and shown again (a collapsed column, a tab): at the bottom, or where the reader was.
      const hideAndShow = async () => {
        const display = (value: string) =>
          list.evaluate((el, value) => ((el.getRootNode() as ShadowRoot).host as HTMLElement).style.setProperty('display', value), value);
        await display('none');
        await frames(page);
        await display('');
        await frames(page);
      };
      await hideAndShow();
      expect((await view(list)).fromBottom).toBeLessThanOrEqual(1);
      await wheel(page, list, -500);
      const kept = await firstInView(list);
      await hideAndShow();
      expect(Math.abs((await topOf(list, kept.id)) - kept.top)).toBeLessThanOrEqual(1);
      expectClean(page, errors);
      await context.close();
    });

    it(`keeps the first message in view in place while an older page with pictures loads above it (${label})`, async () => {
      // 80 messages: the latest page holds 50, the older one the rest, with its pictures.
      const older: Record<number, [number, number]> = { 3: [500, 500], 8: [640, 360], 14: [300, 450], 20: [800, 600], 27: [400, 300] };
      const { hostToken } = await seed(`Olga ${label}`, 80, { ...older, 60: [320, 240], 75: [480, 320] });
      const context = await slowContext(viewport);
      // The older page waits until the test has noted what the reader sees.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let asked = false;
      await context.route(/\/v1\/rooms\/[^/]+\/messages\?.*before=/, async (route) => {
        asked = true;
        await released;
        await route.continue();
      });
      const { page, errors, list, widget } = await openWidget(context, hostToken);
      await expectAtNewest(page, list, 'Message 80', 2);
      const shown = await list.locator(ROW).count();
      expect(shown).toBeLessThan(80);
      expect(await widget.locator('button.older').count()).toBe(1);

      // The reader scrolls to the top: the older page is asked for; note the first message in view.
      await wheel(page, list, -20_000);
      await expect.poll(() => asked).toBe(true);
      const place = await firstInView(list);

      release();
      await expect.poll(() => list.locator(ROW).count()).toBeGreaterThan(shown);
      await expect.poll(() => widget.locator('button.older').count()).toBe(0);
      await expect.poll(async () => (await view(list)).images).toBe(2 + Object.keys(older).length);
      await loadedNear(page, list);
      expect(Math.abs((await topOf(list, place.id)) - place.top)).toBeLessThanOrEqual(2);
      expect(await view(list)).toMatchObject({ pill: false });
      await screenshot(page, `timeline-after-older-loaded-${label}`);

      expectClean(page, errors);
      await context.close();
    });
  }
});
