import type { AuthSessionDto, StartConversationResult, SupportNoteDto } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { axeFindings } from './helpers/axe.js';
import {
  deepText,
  horizontalOverflow,
  openHostPage,
  openInbox,
  screenshot,
  screenshotThemes,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';
import { useInboxTeam } from './helpers/inbox-team.js';

const AGENT = { username: 'lia', password: 'lia-password-1', name: 'Lia' };
const COLLEAGUE = { username: 'caio', password: 'caio-password-1', name: 'Caio' };
const NOTE = 'Courier says Monday; refund if it slips';

describe('<chat-inbox> private notes', () => {
  const team = useInboxTeam([AGENT, COLLEAGUE]);
  let server: TestServer;
  let tenant: App;
  let browser: Browser;
  let colleague: AuthSessionDto;

  beforeAll(async () => {
    ({ server, tenant, browser } = team);
    const login = await server.request<AuthSessionDto>('POST', '/v1/auth/login', { app: tenant.id, body: COLLEAGUE });
    expect(login.status).toBe(200);
    colleague = login.body;
  });

  const cards = (inbox: Locator) => inbox.locator('confab-inbox-note');
  const cardTexts = async (inbox: Locator) => (await cards(inbox).locator('.text').allTextContents()).map((t) => t.trim());

  it('writes a note in note mode that shows apart in the thread, live for colleagues, and never in the visitor’s widget', async () => {
    const visitorContext = await browser.newContext({ viewport: VIEWPORTS.phone });
    const visitor = await openHostPage(visitorContext, server, { body: `<chat-widget app="${tenant.id}"></chat-widget>` });
    const widget = visitor.locator('chat-widget');
    await widget.locator('button.launcher').click();
    const visitorInput = widget.locator('textarea[part=input]');
    await visitorInput.fill('My parcel is late');
    await visitorInput.press('Enter');
    await expect.poll(() => widget.locator('[part~=message]').count()).toBeGreaterThan(0);

    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.desktop });
    await inbox.locator('button.item').first().click();
    const input = inbox.locator('textarea[part=input]');
    await expect.poll(() => input.getAttribute('placeholder')).not.toContain('note');

    // Note mode: the switch, a tinted box whose placeholder says who reads it, no attach button.
    const noteMode = inbox.getByRole('button', { name: 'Private note' });
    await noteMode.click();
    expect(await noteMode.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => input.getAttribute('placeholder')).toBe('Visitors won’t see this note');
    expect(await inbox.locator('confab-composer').getAttribute('note')).not.toBeNull();
    expect(await inbox.getByRole('button', { name: 'Attach a file' }).count()).toBe(0);
    await input.fill(`${NOTE} @caio`);
    await input.press('Enter');
    await expect.poll(() => cardTexts(inbox)).toEqual([`${NOTE} @caio`]);
    const card = cards(inbox).first();
    await expect.poll(() => card.locator('header').textContent()).toContain('Only your team sees this');
    expect(await card.locator('header').textContent()).toContain('Lia');
    // Distinct from a message bubble: an amber card, not the bubble colour.
    const bubbleBg = await inbox
      .locator('.bubble')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    const cardBg = await card.locator('article').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(cardBg).not.toBe(bubbleBg);
    expect(cardBg).toBe('rgb(255, 246, 217)');
    // Stored as a note, with the colleague mentioned, and no message.
    const stored = await server.request<{ items: SupportNoteDto[] }>('GET', `/v1/support/conversations/${await selectedId(inbox)}/notes`, {
      token: colleague.accessToken,
    });
    expect(stored.body.items.map((n) => [n.text, n.mentions.length])).toEqual([[`${NOTE} @caio`, 1]]);

    // A colleague's note arrives live, after ours.
    const conversationId = await selectedId(inbox);
    const theirs = await server.request('POST', `/v1/support/conversations/${conversationId}/notes`, {
      token: colleague.accessToken,
      body: { text: 'Checked: the label was printed twice', clientId: 'caio-note-1' },
    });
    expect(theirs.status).toBe(201);
    await expect.poll(() => cardTexts(inbox)).toEqual([`${NOTE} @caio`, 'Checked: the label was printed twice']);
    // Only one's own note has a delete button.
    expect(await cards(inbox).nth(0).getByRole('button', { name: 'Delete note' }).count()).toBe(1);
    expect(await cards(inbox).nth(1).getByRole('button', { name: 'Delete note' }).count()).toBe(0);

    // Back to replies: the visitor gets this one, and never the notes.
    await inbox.getByRole('button', { name: 'Reply', exact: true }).click();
    await expect.poll(() => input.getAttribute('placeholder')).not.toContain('note');
    expect(await inbox.locator('confab-composer').getAttribute('note')).toBeNull();
    await input.fill('We are on it!');
    await input.press('Enter');
    await expect.poll(() => widget.locator('[part~=message]').allTextContents()).toContainEqual(expect.stringContaining('We are on it!'));
    const seen = await deepText(widget);
    expect(seen).toContain('We are on it!');
    expect(seen).not.toContain('Courier says Monday');
    expect(seen).not.toContain('printed twice');
    expect(await widget.locator('confab-inbox-note').count()).toBe(0);
    await screenshot(visitor, 'inbox-notes-visitor-widget-phone-light');

    // A reload (history from the server) still has no note.
    await visitor.reload();
    await widget.locator('button.launcher').click();
    await expect.poll(() => widget.locator('[part~=message]').allTextContents()).toContainEqual(expect.stringContaining('We are on it!'));
    const afterReload = await deepText(widget);
    expect(afterReload).not.toContain('Courier says Monday');

    // Note mode again for the pictures.
    await inbox.getByRole('button', { name: 'Private note' }).click();
    await screenshotThemes(page, inbox, 'inbox-notes');
    expect(await axeFindings(page, 'chat-inbox', { themes: ['light', 'dark'] })).toEqual([]);

    // Deleting one's own note takes it away.
    await cards(inbox).nth(0).getByRole('button', { name: 'Delete note' }).click();
    await expect.poll(() => cardTexts(inbox)).toEqual(['Checked: the label was printed twice']);
    expect(page.problems).toEqual([]);
    expect(errors).toEqual([]);
    expect(visitor.problems).toEqual([]);
    await visitorContext.close();
    await page.context().close();
  });

  it('tells a mentioned agent, who opens the conversation from the notice; fits a phone', async () => {
    const vis = await server.guest(tenant, 'Noa');
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: vis.accessToken,
      body: { text: 'Where is my refund?', clientId: 'noa-1' },
    });
    expect(started.status).toBe(201);
    const { page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await expect.poll(() => inbox.locator('button.item').count()).toBeGreaterThan(0);

    const res = await server.request('POST', `/v1/support/conversations/${started.body.id}/notes`, {
      token: colleague.accessToken,
      body: { text: '@Lia can you approve this refund?', clientId: 'caio-mention-1' },
    });
    expect(res.status).toBe(201);
    const notice = inbox.locator('.mention-notice');
    await expect.poll(() => notice.textContent()).toContain('Caio mentioned you in a note');
    await screenshot(page, 'inbox-notes-mention-phone-light');
    await notice.getByRole('button', { name: 'Open conversation' }).click();
    await expect.poll(() => cardTexts(inbox)).toEqual(['@Lia can you approve this refund?']);
    expect(await notice.count()).toBe(0);
    await inbox.getByRole('button', { name: 'Private note' }).click();
    await screenshot(page, 'inbox-notes-thread-phone-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-notes-thread-phone-dark');
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

/** The id of the selected conversation, from its list row. */
function selectedId(inbox: Locator): Promise<string> {
  return inbox
    .locator('button.item[aria-current=true]')
    .first()
    .getAttribute('data-id')
    .then((id) => id ?? '');
}
