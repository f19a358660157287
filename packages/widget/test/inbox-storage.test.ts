import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { axeFindings } from './helpers/axe.js';
import { createAgent, horizontalOverflow, openInbox, screenshot, VIEWPORTS } from './helpers/browser.js';
import { AGENT, expectCleanPages, type FileToPick, openVisitorChat, useServerAndBrowser } from './helpers/visitor-chat.js';

const CAIO = { username: 'caio', password: 'caio-password-1', name: 'Caio' };
const PHONE = { width: 390, height: 844 };

/** A text file of `kb` KB (text is stored as sent, so it weighs exactly that). */
const textFile = (name: string, kb: number): FileToPick => ({ name, mimeType: 'text/plain', buffer: Buffer.alloc(kb * 1024, 'a') });

describe('<chat-inbox> storage settings', () => {
  const rig = useServerAndBrowser();
  const section = (inbox: Locator) => inbox.locator('confab-inbox-storage-settings');

  it('shows an admin what a visitor uploaded, and the per-person limit they set refuses the visitor’s next upload', async () => {
    const { server, browser } = rig;
    const visitor = await openVisitorChat(rig, { name: 'Vera Lopes' });
    const { tenant } = visitor;
    await server.db('users').where({ app_id: tenant.id, username: AGENT.username }).update({ role: 'admin' });
    await visitor.sendFiles([textFile('report.txt', 300)]);

    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, AGENT);
    await inbox.locator('button[data-page=settings]').click();
    const storage = section(inbox);
    await expect.poll(() => storage.getByRole('heading', { name: 'Storage' }).count()).toBe(1);
    await expect.poll(() => storage.locator('.amount').textContent()).toBe('300 KB used');
    expect(await storage.getByRole('progressbar').count()).toBe(0);
    expect(await storage.locator('.per-person strong').textContent()).toBe('Unlimited');
    // The uploader by name (the inbox lists her conversation), with her use.
    const top = storage.locator('ol.top li');
    await expect.poll(() => top.count()).toBe(1);
    expect(await top.first().locator('.who').textContent()).toBe('Vera Lopes');
    expect(await top.first().locator('.size').textContent()).toBe('300 KB');

    // Half a MB per person, 1 MB for the app: the meter shows the app's share.
    await storage.getByLabel('Per-person limit').fill('0.5');
    await storage.getByLabel('App limit').fill('1');
    await storage.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => storage.getByRole('status').textContent()).toBe('Saved');
    expect(await storage.locator('.amount').textContent()).toBe('300 KB of 1 MB');
    expect(await storage.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('29');
    expect(await storage.getByText('29% used').count()).toBe(1);
    expect(await storage.locator('.per-person strong').textContent()).toBe('512 KB');
    expect((await server.app.services.apps.get(tenant.id)).settings.storage).toEqual({ appBytes: 1024 * 1024, userBytes: 512 * 1024 });

    // 300 + 300 KB is over the visitor's 512 KB: the upload is refused.
    await visitor.widget.locator('[part=composer] input[type=file]').setInputFiles([textFile('second.txt', 300)]);
    const chip = visitor.widget.locator('[part=composer] .file');
    await expect.poll(() => chip.locator('.error').count(), { timeout: 10_000 }).toBe(1);
    expect(await chip.locator('.error').textContent()).toContain('second.txt was not sent: your files already take 300 KB of your 512 KB');
    await screenshot(visitor.widget.locator('[part=panel]'), 'upload-refused-by-quota');
    // Opened again, the section reads the use afresh: the refused file took nothing.
    await inbox.locator('button[data-page=conversations]').click();
    await expect.poll(() => storage.count()).toBe(0);
    await inbox.locator('button[data-page=settings]').click();
    await expect.poll(() => storage.locator('.amount').textContent()).toBe('300 KB of 1 MB');

    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await storage.scrollIntoViewIfNeeded();
    await screenshot(page, 'inbox-storage-desktop-light');
    await inbox.evaluate((el) => el.setAttribute('theme', 'dark'));
    await screenshot(page, 'inbox-storage-desktop-dark');
    await page.setViewportSize(PHONE);
    await storage.scrollIntoViewIfNeeded();
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await screenshot(page, 'inbox-storage-phone-dark');
    await inbox.evaluate((el) => el.setAttribute('theme', 'light'));
    await screenshot(page, 'inbox-storage-phone-light');
    await page.setViewportSize(VIEWPORTS.desktop);

    // A limit past what the server takes: said at the field, and nothing is sent.
    await storage.getByLabel('App limit').fill('2000000000');
    await expect
      .poll(() => storage.locator('#appBytes-hint').textContent())
      .toBe('Enter a number of MB up to 1,073,741,824, or leave it empty.');
    expect(await storage.getByLabel('App limit').getAttribute('aria-invalid')).toBe('true');
    expect(await storage.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect((await server.app.services.apps.get(tenant.id)).settings.storage).toMatchObject({ appBytes: 1024 * 1024 });
    await screenshot(storage, 'inbox-storage-error');

    // Both emptied: unlimited again.
    await storage.getByLabel('App limit').fill('');
    await storage.getByLabel('Per-person limit').fill('');
    await storage.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => storage.getByRole('status').textContent()).toBe('Saved');
    expect(await storage.locator('.per-person strong').textContent()).toBe('Unlimited');
    expect(await storage.getByRole('progressbar').count()).toBe(0);
    await screenshot(storage, 'inbox-storage-unlimited');
    const cleared = (await server.app.services.apps.get(tenant.id)).settings.storage; // null limits are dropped
    expect([cleared?.appBytes ?? null, cleared?.userBytes ?? null]).toEqual([null, null]);

    expect(errors).toEqual([]);
    await expectCleanPages(page, visitor.page);
    await context.close();
    await visitor.context.close();
  });

  it('does not show the section to an agent who is not an admin', async () => {
    const { server, browser } = rig;
    const tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, CAIO.username, CAIO.password, CAIO.name);
    const { context, inbox, errors } = await openInbox(browser, server, tenant, CAIO, { viewport: VIEWPORTS.phone });
    await inbox.locator('button[data-page=settings]').click();
    await expect.poll(() => inbox.locator('confab-inbox-settings').getByRole('heading', { name: 'Auto-assignment' }).count()).toBe(1);
    await expect.poll(() => inbox.locator('confab-inbox-label-settings').count()).toBe(1);
    expect(await section(inbox).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
