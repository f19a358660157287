import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

import type { App } from '../../../server/src/db/models/index.js';
import type { TestServerOptions } from '../../../server/test/helpers/server.js';
import {
  createAgent,
  type HostPage,
  launchBrowser,
  openHostPage,
  recordConsoleErrors,
  screenshot,
  startTestServer,
  STRICT_CSP,
  type TestServer,
  violations,
} from './browser.js';

/** The agent of every app that openVisitorChat makes. */
export const AGENT = { username: 'lee', password: 'tr0ub4dor&3', name: 'Lee Agent' } as const;

export interface ServerAndBrowser {
  readonly server: TestServer;
  readonly browser: Browser;
}

/**
 * A test server and Chromium, started before the file's tests and closed after them. Call it inside
 * the `describe` and read the fields in tests (they are set once its beforeAll ran).
 */
export function useServerAndBrowser(options: TestServerOptions = {}): ServerAndBrowser {
  const started: Partial<{ server: TestServer; browser: Browser }> = {};
  beforeAll(async () => {
    started.server = await startTestServer(options);
    started.browser = await launchBrowser();
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.server?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useServerAndBrowser: read in a test, after its beforeAll ran');
    return value;
  };
  return {
    get server() {
      return ready(started.server);
    },
    get browser() {
      return ready(started.browser);
    },
  };
}

export interface FileToPick {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export interface VisitorChatOptions {
  /** What the visitor types as their name in the pre-chat form. */
  name: string;
  /** The context's viewport; Playwright's default when absent. */
  viewport?: { width: number; height: number };
  /** The widget's `theme` attribute; none when absent. */
  theme?: string;
  /** Installs Playwright's fake clock in the context before the page opens. */
  fakeClock?: boolean;
}

export interface VisitorChat {
  tenant: App;
  context: BrowserContext;
  page: HostPage;
  widget: Locator;
  /** The visitor's own messages. */
  mine: Locator;
  /** Console errors and failed requests of the page (see recordConsoleErrors). */
  consoleErrors: string[];
  /** Picks files in the composer and waits for them to be uploaded, without an error. */
  pickFiles(files: FileToPick[]): Promise<void>;
  /** Picks files, saves a screenshot `shot` of the composer if named, sends them and returns the message once sent. */
  sendFiles(files: FileToPick[], shot?: string): Promise<Locator>;
}

/**
 * A new app with the agent AGENT, and a visitor past the pre-chat form in the open `<chat-widget>`
 * of a host page under the strict CSP, in a browser context of their own.
 */
export async function openVisitorChat(rig: ServerAndBrowser, options: VisitorChatOptions): Promise<VisitorChat> {
  const { server, browser } = rig;
  const tenant = await server.createTenant(['http://127.0.0.1:*']);
  await createAgent(server, tenant, AGENT.username, AGENT.password, AGENT.name);
  const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
  if (options.fakeClock) await context.clock.install();
  const theme = options.theme === undefined ? '' : ` theme="${options.theme}"`;
  const page = await openHostPage(context, server, {
    body: `<chat-widget app="${tenant.id}"${theme} require-name></chat-widget>`,
    csp: STRICT_CSP,
  });
  const consoleErrors = recordConsoleErrors(page);
  const widget = page.locator('chat-widget');
  await widget.locator('button.launcher').click();
  await widget.locator('[part=prechat] input[name=name]').fill(options.name);
  await widget.locator('[part=prechat] button[type=submit]').click();
  await widget.locator('textarea[part=input]').waitFor();
  const mine = widget.locator('[part~=message][part~=mine]');

  async function pickFiles(files: FileToPick[]): Promise<void> {
    await widget.locator('[part=composer] input[type=file]').setInputFiles(files);
    const chips = widget.locator('[part=composer] .file');
    await expect.poll(() => chips.count()).toBe(files.length);
    await expect.poll(() => chips.locator('progress').count(), { timeout: 10_000 }).toBe(0);
    expect(await chips.locator('.error').count()).toBe(0);
  }

  return {
    tenant,
    context,
    page,
    widget,
    mine,
    consoleErrors,
    pickFiles,
    async sendFiles(files, shot) {
      const before = await mine.count();
      await pickFiles(files);
      if (shot) await screenshot(widget.locator('[part=composer]'), shot);
      await widget.locator('button[part=send-button]').click();
      await expect.poll(() => mine.count()).toBe(before + 1);
      await expect.poll(() => mine.last().getAttribute('data-status')).toMatch(/^(sent|delivered|read)$/);
      return mine.last();
    },
  };
}

export interface AgentInbox {
  context: BrowserContext;
  page: HostPage;
  inbox: Locator;
  /** Waits for the app's one conversation to be listed, and opens it. */
  openConversation(): Promise<void>;
}

/** AGENT, signed in to `<chat-inbox>` of the app on a host page under the strict CSP, in a browser context of their own. */
export async function openAgentInbox(
  rig: ServerAndBrowser,
  tenant: App,
  viewport?: { width: number; height: number },
): Promise<AgentInbox> {
  const context = await rig.browser.newContext(viewport ? { viewport } : {});
  const page = await openHostPage(context, rig.server, { body: `<chat-inbox app="${tenant.id}"></chat-inbox>`, csp: STRICT_CSP });
  const inbox = page.locator('chat-inbox');
  await inbox.locator('input[name=username]').fill(AGENT.username);
  await inbox.locator('input[name=password]').fill(AGENT.password);
  await inbox.locator('form.signin button[type=submit]').click();
  await inbox.locator('form.signin').waitFor({ state: 'detached' });
  return {
    context,
    page,
    inbox,
    async openConversation() {
      const items = inbox.locator('button.item');
      await expect.poll(() => items.count()).toBe(1);
      await items.first().click();
      await expect.poll(() => items.first().getAttribute('aria-current')).toBe('true');
    },
  };
}

/** Expects no CSP violation, dialog or page error on any of the pages. */
export async function expectCleanPages(...pages: HostPage[]): Promise<void> {
  for (const page of pages) {
    expect(page.problems).toEqual([]);
    expect(await violations(page)).toEqual([]);
  }
}
