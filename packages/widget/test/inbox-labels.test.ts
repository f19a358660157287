import type { AuthSessionDto, StartConversationResult, SupportLabelDto } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  horizontalOverflow,
  launchBrowser,
  openInbox,
  screenshot,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';

const AGENT = { username: 'lia', password: 'lia-password-1', name: 'Lia' };

describe('<chat-inbox> labels', () => {
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let colleague: AuthSessionDto;
  const labels: Record<string, SupportLabelDto> = {};

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant(['http://127.0.0.1:*']);
    await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
    colleague = await server.member(tenant, 'colleague', { role: 'agent', name: 'Caio' });
    for (const [name, colour] of [
      ['Billing', 'purple'],
      ['Bug', 'red'],
      ['Shipping', 'blue'],
    ] as const) {
      const res = await server.request<SupportLabelDto>('POST', '/v1/support/labels', {
        token: colleague.accessToken,
        body: { name, colour },
      });
      expect(res.status).toBe(201);
      labels[name] = res.body;
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function startConversation(name: string, text: string): Promise<string> {
    const visitor = await server.guest(tenant, name);
    const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text, clientId: `labels-${name}` },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const picker = (inbox: Locator) => inbox.locator('confab-inbox-labels').getByRole('listbox', { name: 'Labels' });
  const optionTexts = async (inbox: Locator) => (await picker(inbox).getByRole('option').allTextContents()).map((t) => t.trim());
  const listNames = (inbox: Locator) => inbox.locator('button.item .name').allTextContents();
  const chips = (inbox: Locator) => inbox.locator('confab-inbox-labels .chips .label-name').allTextContents();
  const rowLabels = (inbox: Locator, who: string) =>
    inbox.locator('button.item', { hasText: who }).locator('.item-labels .label-name').allTextContents();

  it('lets an agent add, create and remove labels with the keyboard, follows colleagues live, and filters the list by label', async () => {
    await startConversation('Rita', 'My invoice is wrong');
    const samId = await startConversation('Sam', 'The app crashes');
    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.desktop });
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    await expect.poll(() => listNames(inbox)).toEqual(['Sam', 'Rita']);
    await expect.poll(() => inbox.locator('.label-filter option').allTextContents()).toEqual(['All labels', 'Billing', 'Bug', 'Shipping']);

    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    const add = inbox.getByRole('button', { name: 'Label', exact: true });
    await add.focus();
    await page.keyboard.press('Enter');
    const search = inbox.getByRole('combobox', { name: 'Find or create a label' });
    const focusedInside = () => search.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement || el.matches(':focus'));
    await expect.poll(focusedInside).toBe(true);
    await expect.poll(() => picker(inbox).getByRole('option').allTextContents()).toHaveLength(3);
    await screenshot(page, 'inbox-labels-picker-desktop-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-labels-picker-desktop-dark');
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // Type to narrow, Enter to put it on.
    await page.keyboard.type('bil');
    await expect.poll(() => optionTexts(inbox)).toEqual(['Billing', 'Create label “bil”']);
    await page.keyboard.press('Enter');
    await expect.poll(() => chips(inbox)).toEqual(['Billing']);
    await expect.poll(() => picker(inbox).getByRole('option', { name: 'Billing' }).getAttribute('aria-selected')).toBe('true');

    // A name no label has: the last option creates it, and puts it on.
    await search.fill('VIP');
    await expect.poll(() => picker(inbox).getByRole('option').last().textContent()).toContain('Create label “VIP”');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => chips(inbox)).toEqual(['Billing', 'VIP']);
    await expect.poll(() => rowLabels(inbox, 'Rita')).toEqual(['Billing', 'VIP']);
    await page.keyboard.press('Escape');
    await expect.poll(() => picker(inbox).count()).toBe(0);
    expect(await add.evaluate((el) => el.matches(':focus'))).toBe(true);
    await screenshot(page, 'inbox-labels-chips-desktop-light');

    // A colleague labels Sam's conversation: the row shows it live.
    const put = await server.request('PUT', `/v1/support/conversations/${samId}/labels/${labels.Bug!.id}`, {
      token: colleague.accessToken,
    });
    expect(put.status).toBe(200);
    await expect.poll(() => rowLabels(inbox, 'Sam')).toEqual(['Bug']);
    // They rename a label: every chip follows.
    await server.request('PATCH', `/v1/support/labels/${labels.Billing!.id}`, { token: colleague.accessToken, body: { name: 'Invoices' } });
    await expect.poll(() => chips(inbox)).toEqual(['Invoices', 'VIP']);
    await expect.poll(() => inbox.locator('.label-filter option').allTextContents()).toContain('Invoices');

    // The filter: only the conversations carrying the label.
    await inbox.locator('.label-filter select').selectOption(labels.Bug!.id);
    await expect.poll(() => listNames(inbox)).toEqual(['Sam']);
    await screenshot(page, 'inbox-labels-filtered-desktop-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-labels-filtered-desktop-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // Taken off live, the conversation leaves the filtered list.
    await server.request('DELETE', `/v1/support/conversations/${samId}/labels/${labels.Bug!.id}`, { token: colleague.accessToken });
    await expect.poll(() => listNames(inbox)).toEqual([]);
    await inbox.locator('.label-filter select').selectOption('');
    await expect.poll(() => listNames(inbox)).toEqual(['Sam', 'Rita']);

    // The chip's own button takes the label off.
    await inbox.getByRole('button', { name: 'Remove label VIP' }).click();
    await expect.poll(() => chips(inbox)).toEqual(['Invoices']);
    const stored = await server.request<{ labels: { name: string }[] }>('GET', `/v1/support/conversations/${await ritaId(inbox)}`, {
      token: colleague.accessToken,
    });
    expect(stored.body.labels.map((l) => l.name)).toEqual(['Invoices']);
    expect(page.problems).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fits the picker on a phone', async () => {
    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await expect.poll(() => inbox.getByRole('tab').count()).toBe(4);
    await inbox.locator('button.item', { hasText: 'Rita' }).click();
    await inbox.getByRole('button', { name: 'Label', exact: true }).click();
    await expect.poll(() => picker(inbox).getByRole('option').count()).toBeGreaterThan(2);
    await screenshot(page, 'inbox-labels-picker-phone-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-labels-picker-phone-dark');
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await page.keyboard.press('Escape');
    await inbox.getByRole('button', { name: 'Back to conversations' }).click();
    await screenshot(page, 'inbox-labels-list-phone-dark');
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

/** The id of the selected conversation (Rita's), from its list row. */
function ritaId(inbox: Locator): Promise<string> {
  return inbox
    .locator('button.item', { hasText: 'Rita' })
    .getAttribute('data-id')
    .then((id) => id ?? '');
}
