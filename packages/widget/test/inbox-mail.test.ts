import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { AuthSessionDto, MailSettingsDto, StartConversationResult } from '@confab/protocol';
import type { Browser, Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { sha256Hex } from '../../server/src/services/mail/addresses.js';
import { axeFindings } from './helpers/axe.js';
import {
  createAgent,
  horizontalOverflow,
  openInbox,
  screenshot,
  screenshotThemes,
  startTestServer,
  type TestServer,
  VIEWPORTS,
} from './helpers/browser.js';
import { useInboxTeam } from './helpers/inbox-team.js';

const ADMIN = { username: 'rita', password: 'rita-password-1', name: 'Rita', admin: true };
const AGENT = { username: 'caio', password: 'caio-password-1', name: 'Caio' };

/** A visitor who gave an email and wrote: the conversation's id. */
async function visitorConversation(server: TestServer, tenant: App, name: string, email: string): Promise<string> {
  const visitor: AuthSessionDto = await server.guest(tenant, name);
  const me = await server.request('PATCH', '/v1/me', { token: visitor.accessToken, body: { email } });
  expect(me.status, JSON.stringify(me.body)).toBe(200);
  const res = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
    token: visitor.accessToken,
    body: { text: `Hello from ${name}`, clientId: `mail-${name}` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

describe('<chat-inbox> mail: a conversation’s emails and transcript, Settings › Email', () => {
  const team = useInboxTeam([ADMIN, AGENT], { mail: { pollMs: 200 } });
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  beforeAll(() => {
    ({ server, tenant, browser } = team);
  });

  const emails = (inbox: Locator) => inbox.locator('confab-inbox-mails');
  const settings = (inbox: Locator) => inbox.locator('confab-inbox-mail-settings');

  it('sends the transcript from the details pane to the visitor’s email (editable) and lists it as sent', async () => {
    await visitorConversation(server, tenant, 'Lia', 'lia@example.com');
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, AGENT);
    await inbox.locator('button.item', { hasText: 'Lia' }).click();
    const section = emails(inbox);
    await expect.poll(() => section.locator('section').textContent()).toContain('No emails about this conversation yet.');

    await section.getByRole('button', { name: 'Send transcript' }).click();
    const to = section.getByRole('textbox', { name: 'Send to' });
    await expect.poll(() => to.inputValue()).toBe('lia@example.com');
    expect(await to.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    // Escape leaves the form without sending.
    await page.keyboard.press('Escape');
    await expect.poll(() => to.count()).toBe(0);
    await section.getByRole('button', { name: 'Send transcript' }).click();
    await to.fill('lia.work@example.com');
    await section.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => section.getByRole('status').textContent()).toContain('Transcript on its way to lia.work@example.com');

    // The mail sender writes it as an .eml file (SMTP_URL is unset): the list says Sent.
    const row = section.locator('li.mail');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('sent');
    expect(await row.locator('strong').textContent()).toBe('Transcript');
    expect(await row.locator('.to').textContent()).toBe('To lia.work@example.com');
    expect(await row.locator('.pill').textContent()).toBe('Sent');
    const mailDir = join(server.config.dataDir, 'mail');
    expect(existsSync(mailDir) && readdirSync(mailDir).some((f) => f.endsWith('.eml'))).toBe(true);
    expect(await axeFindings(page, 'chat-inbox', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-mails-details');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('opens the conversation a notification mail links to (#conversation=<id>), at sign-in and while open', async () => {
    const first = await visitorConversation(server, tenant, 'Noa', 'noa@example.com');
    const second = await visitorConversation(server, tenant, 'Ivo', 'ivo@example.com');
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, {
      beforeSignIn: async (p) => {
        await p.evaluate((id) => (location.hash = `#conversation=${id}`), first);
      },
    });
    const header = inbox.locator('header.conv-header');
    await expect.poll(() => header.textContent()).toContain('Noa');
    // The hash is taken off (the rest of the address stays), so a reload does not open it again.
    expect(await page.evaluate(() => [location.hash, location.pathname])).toEqual(['', '/inbox.html']);
    // A link followed while the inbox is open.
    await page.evaluate((id) => (location.hash = `#conversation=${id}`), second);
    await expect.poll(() => header.textContent()).toContain('Ivo');
    // One that names nothing of this app opens nothing, and breaks nothing.
    await page.evaluate(() => (location.hash = '#conversation=00000000-0000-4000-8000-000000000000'));
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('');
    await inbox.locator('button.item', { hasText: 'Noa' }).click();
    await expect.poll(() => header.textContent()).toContain('Noa');
    // The browser logs the one 404 of the unknown id; nothing else went wrong.
    const unknown = `${server.url}/v1/support/conversations/00000000-0000-4000-8000-000000000000`;
    expect(errors).toEqual([`404 ${unknown}`, 'Failed to load resource: the server responded with a status of 404 (Not Found)']);
    await context.close();
  });

  it('shows a mail the SMTP server refused as failed, with the error, in the agent’s language', async () => {
    const refusing = await startTestServer({
      env: { SMTP_URL: 'smtp://127.0.0.1:9' },
      mail: { pollMs: 200, retryBaseMs: 50, maxDelayMs: 100, maxAttempts: 1 },
    });
    try {
      const other = await refusing.createTenant(['http://127.0.0.1:*']);
      await createAgent(refusing, other, AGENT.username, AGENT.password, AGENT.name);
      await visitorConversation(refusing, other, 'Bia', 'bia@example.com');
      const { context, page, inbox } = await openInbox(browser, refusing, other, AGENT, { lang: 'pt-BR', viewport: VIEWPORTS.phone });
      await inbox.locator('button.item', { hasText: 'Bia' }).click();
      await inbox.getByRole('button', { name: 'Dados do visitante' }).click();
      const section = emails(inbox);
      await section.getByRole('button', { name: 'Enviar transcrição' }).click();
      await section.getByRole('button', { name: 'Enviar', exact: true }).click();
      const row = section.locator('li.mail');
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('failed');
      expect(await row.locator('.pill').textContent()).toBe('Falhou');
      expect(await row.locator('.why').textContent()).toMatch(/^Não enviado: .+/);
      expect(await row.locator('.pill').getAttribute('title')).toBeTruthy();
      expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
      // The phone's details column (screenshotThemes would resize it back to the conversation).
      for (const theme of ['light', 'dark']) {
        await inbox.evaluate((el, t) => el.setAttribute('theme', t), theme);
        await screenshot(page, `inbox-mails-failed-phone-${theme}`);
      }
      await context.close();
    } finally {
      await refusing.close();
    }
  });

  it('lets an admin change Settings › Email and save it; an invalid link or delay cannot be saved', async () => {
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, ADMIN);
    await inbox.locator('button[data-page=settings]').click();
    const form = settings(inbox);
    await expect.poll(() => form.getByRole('heading', { name: 'Email', exact: true }).count()).toBe(1);
    await expect.poll(() => form.getByRole('checkbox', { name: /Email an agent’s reply/ }).isChecked()).toBe(true);
    expect(await form.locator('.transport').textContent()).toContain(
      'SMTP_URL is not set: mails are written as .eml files under DATA_DIR/mail.',
    );
    expect(await form.getByRole('note').count()).toBe(0);

    const delay = form.locator('#delay');
    expect(await delay.inputValue()).toBe('2');
    await delay.fill('0');
    await expect.poll(() => form.getByText('Enter a whole number from 1 to 1440.').count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await delay.fill('10');
    const chatUrl = form.getByRole('textbox', { name: 'Chat page' });
    await chatUrl.fill('javascript:alert(1)');
    await expect.poll(() => form.getByText('Enter a full address starting with https://, or leave it empty.').count()).toBe(1);
    expect(await form.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await chatUrl.fill('https://shop.example/help');
    await form.getByRole('checkbox', { name: /Email the agents when a conversation waits/ }).uncheck();
    expect(await form.getByRole('textbox', { name: 'Inbox page' }).count()).toBe(0);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.locator('.status').textContent()).toBe('Saved');

    const stored = await server.request<MailSettingsDto>('GET', '/v1/support/mail-settings', {
      token: (await server.request<AuthSessionDto>('POST', '/v1/auth/login', { app: tenant.id, body: ADMIN })).body.accessToken,
    });
    expect(stored.body).toMatchObject({
      continuity: true,
      continuityDelayMinutes: 10,
      chatUrl: 'https://shop.example/help',
      notifyAgents: false,
      transport: 'files',
    });
    expect(await axeFindings(page, 'chat-inbox', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-mail-settings-admin');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('creates the inbound secret and shows it once with copy buttons; replacing it asks first', async () => {
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, ADMIN);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await inbox.locator('button[data-page=settings]').click();
    const inbound = settings(inbox).locator('confab-inbox-inbound-mail');
    await expect.poll(() => inbound.locator('section').textContent()).toContain('Not set up');
    await inbound.getByRole('button', { name: 'Create inbound secret' }).click();
    const shown = inbound.getByRole('region', { name: 'Copy these now: the secret is shown only this once.' });
    await expect.poll(() => shown.count()).toBe(1);
    const value = (key: string) => shown.locator(`[data-key=${key}] code`).textContent();
    const first = (await value('secret'))!;
    expect(await value('username')).toBe(tenant.id);
    expect(await value('url')).toBe(`${server.url}/v1/inbound/email`);
    expect(await shown.textContent()).toContain('HTTP Basic auth');
    const hash = async () =>
      ((await server.db('apps').where({ id: tenant.id }).first('inbound_secret_hash')) as { inboundSecretHash: string }).inboundSecretHash;
    expect(await hash()).toBe(sha256Hex(first));
    await expect.poll(() => inbound.locator('section').textContent()).toContain('Set up: answers');
    await shown.getByRole('button', { name: 'Copy Secret' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(first);
    expect(await axeFindings(page, 'chat-inbox', { themes: ['light', 'dark'] })).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-inbound-secret');
    await page.setViewportSize({ width: 375, height: 700 });
    await shown.scrollIntoViewIfNeeded();
    await screenshot(page, 'inbox-inbound-secret-phone-scrolled');
    await page.setViewportSize(VIEWPORTS.desktop);

    // Away and back: the secret is not shown again. Replacing it confirms first; Cancel keeps the old one.
    await inbox.locator('button[data-page=conversations]').click();
    await inbox.locator('button[data-page=settings]').click();
    await expect.poll(() => inbound.getByRole('button', { name: 'Replace inbound secret' }).count()).toBe(1);
    expect(await inbound.locator('section').textContent()).not.toContain(first);
    await inbound.getByRole('button', { name: 'Replace inbound secret' }).click();
    await expect.poll(() => inbound.locator('section').textContent()).toContain('This replaces the current secret');
    await screenshotThemes(page, inbox, 'inbox-inbound-confirm');
    await inbound.getByRole('button', { name: 'Cancel' }).click();
    expect(await hash()).toBe(sha256Hex(first));
    await inbound.getByRole('button', { name: 'Replace inbound secret' }).click();
    await inbound.getByRole('button', { name: 'Replace it' }).click();
    await expect.poll(() => shown.count()).toBe(1);
    const second = (await value('secret'))!;
    expect(second).not.toBe(first);
    expect(await hash()).toBe(sha256Hex(second));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows an agent Settings › Email read-only, with a note that admins change it', async () => {
    await server.app.services.apps.updateSettings(tenant.id, { mail: { chatUrl: 'https://shop.example/help' } });
    await server
      .db('apps')
      .where({ id: tenant.id })
      .update({ inboundSecretHash: sha256Hex('ib_set-by-the-test') });
    const { context, page, inbox, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await inbox.locator('button[data-page=settings]').click();
    const form = settings(inbox);
    await expect.poll(() => form.getByRole('note').textContent()).toBe('Only admins can change the email settings.');
    expect(await form.getByRole('checkbox', { name: /Email an agent’s reply/ }).isDisabled()).toBe(true);
    expect(await form.locator('#delay').isDisabled()).toBe(true);
    expect(await form.getByRole('textbox', { name: 'Chat page' }).inputValue()).toBe('https://shop.example/help');
    expect(await form.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await form.getByRole('button', { name: /inbound secret/ }).count()).toBe(0);
    expect(await form.locator('confab-inbox-inbound-mail section').textContent()).toContain('Set up');
    expect(await horizontalOverflow(page, 'chat-inbox')).toEqual([]);
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);
    await screenshotThemes(page, inbox, 'inbox-mail-settings-agent');
    await page.setViewportSize({ width: 375, height: 700 });
    await form.getByRole('note').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'inbox-mail-settings-agent-phone-scrolled');
    expect(errors).toEqual([]);
    await context.close();
  });
});
