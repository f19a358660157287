import type { AssignmentDto } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import { horizontalOverflow, openInbox, screenshotThemes, type TestServer, VIEWPORTS } from './helpers/browser.js';
import { useInboxTeam } from './helpers/inbox-team.js';

const ADMIN = { username: 'rita', password: 'rita-password-1', name: 'Rita', admin: true };
const AGENT = { username: 'caio', password: 'caio-password-1', name: 'Caio' };

describe('<chat-inbox> auto-assignment settings', () => {
  const team = useInboxTeam([ADMIN, AGENT]);
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(() => {
    ({ server, tenant, browser } = team);
  });

  const section = (inbox: Locator) => inbox.locator('confab-inbox-settings');
  const stored = async () => (await server.app.services.apps.get(tenant.id)).settings.assignment;

  async function openSettings(who: typeof ADMIN, viewport = VIEWPORTS.desktop) {
    const opened = await openInbox(browser, server, tenant, who, { viewport });
    await opened.inbox.locator('button[data-page=settings]').click();
    await expect.poll(() => section(opened.inbox).getByRole('heading', { name: 'Auto-assignment' }).count()).toBe(1);
    await expect.poll(() => section(opened.inbox).getByRole('radio', { name: /Off/ }).isChecked()).toBe(true);
    return opened;
  }

  it('lets an admin choose least busy with a limit and a requeue time, and saves it', async () => {
    const { context, page, inbox, errors } = await openSettings(ADMIN);
    const form = section(inbox);
    expect(await form.getByRole('note').count()).toBe(0);
    // The limit shows only for least busy.
    expect(await form.getByLabel('Most open conversations per agent').count()).toBe(0);
    await form.getByRole('radio', { name: /Least busy/ }).check();
    const limit = form.getByLabel('Most open conversations per agent');
    await expect.poll(() => limit.inputValue()).toBe('10');
    await limit.fill('0');
    await expect.poll(() => form.getByText('Enter a whole number from 1 to 1000.').count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await limit.fill('4');
    await form.getByRole('checkbox', { name: /Return conversations to the queue/ }).check();
    await form.getByLabel('After').fill('20');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Saved');
    expect(await stored()).toEqual({ mode: 'least_busy', limit: 4, requeueAfterMinutes: 20 } satisfies AssignmentDto);
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-settings-admin');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    await page.setViewportSize(VIEWPORTS.desktop);

    // A change hides "Saved"; round robin without a requeue saves too, keeping the limit for later.
    await form.getByRole('radio', { name: /Round robin/ }).check();
    expect(await form.getByRole('status').textContent()).toBe('');
    await form.getByRole('checkbox', { name: /Return conversations to the queue/ }).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Saved');
    expect(await stored()).toEqual({ mode: 'round_robin', limit: 4, requeueAfterMinutes: null });
    expect(errors).toEqual([]);

    // The connection drops: the save says it failed, in an alert, and nothing changed on the server.
    await context.setOffline(true);
    await form.getByRole('radio', { name: /Off/ }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('alert').count()).toBe(1);
    expect((await form.getByRole('alert').textContent())?.trim()).not.toBe('');
    expect((await stored())?.mode).toBe('round_robin');
    await screenshotThemes(page, inbox, 'inbox-settings-error');
    await context.close();
  });

  it('shows an agent the setting read-only, with a note that admins change it', async () => {
    await server.app.services.apps.updateSettings(tenant.id, { assignment: { mode: 'least_busy', limit: 6, requeueAfterMinutes: 30 } });
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await inbox.locator('button[data-page=settings]').click();
    const form = section(inbox);
    await expect.poll(() => form.getByRole('radio', { name: /Least busy/ }).isChecked()).toBe(true);
    expect(await form.getByRole('note').textContent()).toBe('Only admins can change auto-assignment.');
    expect(await form.getByRole('radio', { name: /Round robin/ }).isDisabled()).toBe(true);
    expect(await form.getByLabel('Most open conversations per agent').inputValue()).toBe('6');
    expect(await form.getByLabel('Most open conversations per agent').isDisabled()).toBe(true);
    expect(await form.getByLabel('After').inputValue()).toBe('30');
    expect(await form.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-settings-agent');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('gives a new conversation to the online agent by itself, and the thread says so in their language', async () => {
    await server.app.services.apps.updateSettings(tenant.id, { assignment: { mode: 'round_robin' } });
    const { context, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { lang: 'pt-BR' });
    await expect.poll(() => inbox.locator('form.signin').count()).toBe(0);
    const visitor = await server.guest(tenant, 'Lia');
    const res = await server.request('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'Oi, meu pedido atrasou', clientId: 'auto-assign-lia' },
    });
    expect(res.status).toBe(201);
    await inbox.locator('button.item', { hasText: 'Lia' }).click();
    await expect
      .poll(() => inbox.locator('.system').allTextContents())
      .toContainEqual(expect.stringContaining('Atribuída a Caio automaticamente'));
    expect(errors).toEqual([]);
    await context.close();
  });
});
