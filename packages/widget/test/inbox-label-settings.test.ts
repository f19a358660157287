import type { StartConversationResult, SupportLabelDto } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import { horizontalOverflow, openInbox, screenshot, screenshotThemes, type TestServer, VIEWPORTS } from './helpers/browser.js';
import { useInboxTeam } from './helpers/inbox-team.js';

const AGENT = { username: 'ines', password: 'ines-password-1', name: 'Inês' };
const COLLEAGUE = { username: 'davi', password: 'davi-password-1', name: 'Davi' };

describe('<chat-inbox> label settings', () => {
  const team = useInboxTeam([AGENT, COLLEAGUE]);
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(() => {
    ({ server, tenant, browser } = team);
  });

  const section = (inbox: Locator) => inbox.locator('confab-inbox-label-settings');
  const rows = async (inbox: Locator) =>
    (await section(inbox)
      .locator('li[data-id] .label')
      .evaluateAll((els) => els.map((el) => `${el.textContent!.trim()}:${el.getAttribute('data-colour')}`))) as string[];

  it('creates, renames, recolours and deletes labels; a colleague sees each change live, on a conversation too', async () => {
    const visitor = await server.guest(tenant, 'Olga');
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'My card was charged twice', clientId: 'label-settings-olga' },
    });
    expect(started.status).toBe(201);

    const mine = await openInbox(browser, server, tenant, AGENT);
    const theirs = await openInbox(browser, server, tenant, COLLEAGUE);
    const { inbox, page } = mine;
    await inbox.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => section(inbox).getByRole('heading', { name: 'Labels' }).count()).toBe(1);
    expect(await section(inbox).locator('li.empty').textContent()).toContain('No labels yet');

    // Create two: the first with the colour picked, the second with the one offered.
    const name = section(inbox).getByRole('textbox', { name: 'Label name' }).first();
    await name.fill('Billing');
    await section(inbox).getByRole('radio', { name: 'Purple' }).first().check();
    await section(inbox).getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => rows(inbox)).toEqual(['Billing:purple']);
    await name.fill('Bugs');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows(inbox)).toEqual(['Billing:purple', 'Bugs:green']);
    await expect.poll(() => name.inputValue()).toBe('');

    // A taken name is refused in the server's words, and nothing changes.
    await name.fill('billing');
    await page.keyboard.press('Enter');
    await expect.poll(() => section(inbox).getByRole('alert').textContent()).toMatch(/already/i);
    expect(await rows(inbox)).toEqual(['Billing:purple', 'Bugs:green']);

    // The colleague has Olga's conversation open; labels reach it as they change.
    await theirs.inbox.locator('button.item', { hasText: 'Olga' }).click();
    const labelId = (await server.request<{ items: SupportLabelDto[] }>('GET', '/v1/support/labels', { token: visitor.accessToken }))
      .status;
    expect(labelId).toBe(403); // visitors never see the team's labels
    const colleagueRows = () => theirs.inbox.locator('.label-filter option').allTextContents();
    await expect.poll(colleagueRows).toEqual(['All labels', 'Billing', 'Bugs']);
    await theirs.inbox.getByRole('button', { name: 'Label', exact: true }).click();
    await theirs.inbox.locator('confab-inbox-labels').getByRole('option', { name: /Bugs/ }).click();
    await theirs.page.keyboard.press('Escape');
    await expect.poll(() => theirs.inbox.locator('confab-inbox-labels .chips .label').getAttribute('data-colour')).toBe('green');

    // Rename and recolour Bugs, from the keyboard.
    await section(inbox).getByRole('button', { name: 'Edit label Bugs' }).click();
    const editName = section(inbox).locator('li[data-id] input.name');
    await expect.poll(() => editName.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await editName.fill('Bug reports');
    await section(inbox).locator('li[data-id]').getByRole('radio', { name: 'Red' }).check();
    await screenshot(page, 'inbox-label-settings-editing');
    await section(inbox).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => rows(inbox)).toEqual(['Billing:purple', 'Bug reports:red']);
    await expect.poll(() => theirs.inbox.locator('confab-inbox-labels .chips .label').textContent()).toContain('Bug reports');
    expect(await theirs.inbox.locator('confab-inbox-labels .chips .label').getAttribute('data-colour')).toBe('red');

    // Escape leaves an edit unchanged.
    await section(inbox).getByRole('button', { name: 'Edit label Billing' }).click();
    await section(inbox).locator('li[data-id] input.name').fill('Money');
    await page.keyboard.press('Escape');
    expect(await rows(inbox)).toEqual(['Billing:purple', 'Bug reports:red']);

    // Delete asks in place first; then the label comes off the colleague's conversation.
    await section(inbox).getByRole('button', { name: 'Delete label Bug reports' }).click();
    await expect.poll(() => section(inbox).locator('.confirm').textContent()).toContain('comes off every conversation');
    expect(mine.page.problems).toEqual([]); // no browser dialog
    await section(inbox).locator('.btn.danger').click();
    await expect.poll(() => rows(inbox)).toEqual(['Billing:purple']);
    await expect.poll(() => theirs.inbox.locator('confab-inbox-labels .chips .label').count()).toBe(0);
    await expect.poll(colleagueRows).toEqual(['All labels', 'Billing']);

    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-label-settings');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    // The taken name's 409 is the one failed request.
    expect(mine.errors.filter((e) => !/\b409\b/.test(e))).toEqual([]);
    await mine.context.close();
    await theirs.context.close();
  });
});
