import { readFile } from 'node:fs/promises';

import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../../server/src/db/models/index.js';
import { REPORT_CSV_COLUMNS } from '../src/lib/report-csv.js';
import { axeFindings } from './helpers/axe.js';
import { openInbox, screenshot, screenshotThemes, type TestServer, VIEWPORTS } from './helpers/browser.js';
import { useInboxTeam } from './helpers/inbox-team.js';

const AGENT = { username: 'rui', password: 'rui-password-1', name: 'Rui' };
const DAY_MS = 86_400_000;
// Conversations opened on each of the last 7 days (oldest first; the browser and the server run in UTC),
// and how many of them were resolved 30 minutes later.
const OPENED = [3, 1, 0, 2, 4, 1, 2];
const RESOLVED = [2, 1, 0, 1, 3, 0, 1];

const utcDay = (daysAgo: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - daysAgo * DAY_MS);
const dayKey = (daysAgo: number) => utcDay(daysAgo).toISOString().slice(0, 10);

describe('<chat-inbox> reports', () => {
  const team = useInboxTeam([AGENT]);
  let server: TestServer;
  let tenant: App;
  let browser: Browser;

  /** Conversations written straight into the database at chosen times: answered in 2 min, resolved in 30. */
  async function seed(agentId: string): Promise<void> {
    const visitor = await server.guest(tenant, 'Vera');
    const [label] = (await server.db('support_labels').insert({ appId: tenant.id, name: 'Billing', colour: 'purple' }).returning('id')) as {
      id: string;
    }[];
    for (const [index, count] of OPENED.entries()) {
      const daysAgo = OPENED.length - 1 - index;
      for (let i = 0; i < count; i++) {
        // 00:20 plus 10 minutes each: every fact stays on its UTC day.
        const created = new Date(utcDay(daysAgo).getTime() + (20 + i * 10) * 60_000);
        const minutes = (n: number) => new Date(created.getTime() + n * 60_000);
        const resolved = i < RESOLVED[index]!;
        const [room] = (await server
          .db('rooms')
          .insert({
            appId: tenant.id,
            kind: 'support',
            createdBy: visitor.user.id,
            status: resolved ? 'resolved' : 'open',
            assigneeId: agentId,
            createdAt: created,
            resolvedAt: resolved ? minutes(30) : null,
            lastSeq: resolved ? 3 : 2,
          })
          .returning('id')) as { id: string }[];
        const roomId = room!.id;
        await server.db('messages').insert([
          { roomId, seq: 1, senderId: visitor.user.id, text: 'Hi', createdAt: created },
          { roomId, seq: 2, senderId: agentId, text: 'Hello!', createdAt: minutes(2) },
          ...(resolved
            ? [
                {
                  roomId,
                  seq: 3,
                  senderId: agentId,
                  text: 'Resolved',
                  type: 'system',
                  meta: JSON.stringify({ event: 'resolved', actorId: agentId }),
                  createdAt: minutes(30),
                },
              ]
            : []),
        ]);
        if (index === 0) await server.db('conversation_labels').insert({ roomId, labelId: label!.id });
        if (resolved && daysAgo === 2) {
          await server
            .db('conversation_ratings')
            .insert({ roomId, resolvedAt: minutes(30), appId: tenant.id, score: 5 - i, createdAt: minutes(40) });
        }
      }
    }
  }

  beforeAll(async () => {
    ({ server, tenant, browser } = team);
    await seed(team.user(AGENT.username).id);
  });

  it('shows the tiles, the chart and the table of the last 7 days, and downloads them as CSV', async () => {
    const { page, inbox, context, errors } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.desktop });
    await inbox.locator('button[data-page=reports]').click();
    const reports = inbox.locator('confab-inbox-reports');
    const tiles = reports.locator('.tile');
    // 13 opened, 8 resolved, every answer in 2 min and resolution in 30 min, ratings 5, 4, 3 two days ago.
    await expect.poll(() => tiles.locator('.tile-value').allTextContents()).toEqual(['13', '8', '2 min', '30 min', '4.0']);
    expect(await tiles.locator('.tile-sub').allTextContents()).toEqual(['', '', 'p90 2 min', 'p90 30 min', '3 ratings']);

    const chart = reports.locator('svg.chart');
    await expect.poll(() => chart.locator('rect.bar.opened').count()).toBe(7);
    expect(await chart.getAttribute('aria-label')).toMatch(/13 opened, 8 resolved/);
    // Bars grow with the day's count: the tallest opened bar is the day with 4.
    const heights = await chart.locator('rect.bar.opened').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(heights.indexOf(Math.max(...heights))).toBe(4);
    expect(heights[2]).toBe(0);

    const rows = reports.locator('tbody tr');
    expect(await rows.count()).toBe(7);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')))).toEqual([6, 5, 4, 3, 2, 1, 0].map(dayKey));
    expect(await reports.locator('tfoot tr').innerText()).toMatch(/^Total\s+13\s+8/);
    expect(await axeFindings(page, 'chat-inbox')).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), reports.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`confab-report-day-${dayKey(6)}-${dayKey(0)}.csv`);
    const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n');
    expect(lines[0]).toBe(REPORT_CSV_COLUMNS.join(','));
    expect(lines.slice(1, 8).map((l) => l.split(',').slice(0, 4))).toEqual(
      OPENED.map((opened, i) => [dayKey(6 - i), dayKey(6 - i), String(opened), String(RESOLVED[i])]),
    );
    expect(lines[8]).toBe('total,total,13,8,120,120,13,1800,1800,8,4,3');
    expect(lines[9]).toBe('');

    await screenshotThemes(page, inbox, 'inbox-reports-day');

    // By agent: the one agent has it all; by label: the label's 3 conversations of the oldest day.
    await reports.locator('select.group').selectOption('agent');
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['Rui']);
    expect(await reports.locator('svg.chart').count()).toBe(0);
    await reports.locator('select.group').selectOption('label');
    await expect.poll(() => rows.first().innerText()).toMatch(/^Billing\s+3\s+2/);
    await screenshot(page, 'inbox-reports-label-desktop-light');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone: the page never scrolls sideways, the table scrolls inside its box', async () => {
    const { page, inbox, context } = await openInbox(browser, server, tenant, AGENT, { viewport: VIEWPORTS.phone });
    await inbox.locator('button[data-page=reports]').click();
    const reports = inbox.locator('confab-inbox-reports');
    await expect.poll(() => reports.locator('svg.chart rect.bar.resolved').count()).toBe(7);
    const widths = await page.evaluate(() => {
      // Through the shadow roots: <chat-inbox> holds the inbox app, which holds the page.
      const find = (root: ParentNode, selector: string): Element | null =>
        root.querySelector(selector) ??
        [...root.querySelectorAll('*')].reduce<Element | null>(
          (hit, el) => hit ?? (el.shadowRoot ? find(el.shadowRoot, selector) : null),
          null,
        );
      const host = find(document, 'confab-inbox-reports')!;
      const main = host.closest('main')!;
      const chart = host.shadowRoot!.querySelector('svg.chart')!.getBoundingClientRect();
      const box = host.shadowRoot!.querySelector('.table-box')!;
      const doc = document.documentElement;
      return {
        document: doc.scrollWidth - doc.clientWidth,
        page: main.scrollWidth - main.clientWidth,
        chartRight: chart.right <= window.innerWidth,
        tableScrolls: box.scrollWidth > box.clientWidth,
        boxRight: box.getBoundingClientRect().right <= window.innerWidth,
      };
    });
    expect(widths).toEqual({ document: 0, page: 0, chartRight: true, tableScrolls: true, boxRight: true });

    await reports.locator('select.range').selectOption('custom');
    const from = reports.locator('input[name=from]');
    await from.fill(dayKey(2));
    await reports.locator('input[name=to]').fill(dayKey(0));
    // Three days: 4 + 1 + 2 opened.
    await expect.poll(() => reports.locator('.tile-value').first().textContent()).toBe('7');
    await expect.poll(() => reports.locator('tbody tr').count()).toBe(3);
    await screenshot(page, 'inbox-reports-custom-phone-light');
    await screenshot(reports.locator('figure.chart-box'), 'inbox-reports-chart-phone-light');
    await screenshot(reports.locator('.table-box'), 'inbox-reports-table-phone-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inbox-reports-custom-phone-dark');
    await context.close();
  });
});
