import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, ReportFiguresDto, StartConversationResult, SupportReportDto, SystemEventDto } from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { figuresQuery } from '../src/services/support/report-query.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';

/**
 * Support reports against a fixture written straight into the database with chosen timestamps, every
 * figure computed by hand below. percentile_cont(p) over n sorted values interpolates at index
 * p·(n−1): [60, 120, 300, 600] → median 210, p90 at 2.7 → 300 + 0.7·300 = 510.
 *
 * Fixture (UTC, period 2026-03-02 .. 2026-03-05, so 03-04 is a day without activity):
 * - C1 Ana's, Billing: opened 03-02 10:00, Ana answers +60 s, Ana resolves 10:30 (1800 s), rated 5 at 11:00.
 * - C2 Bob's, Billing+Shipping: opened 12:00, Bob answers +120 s, Bob resolves 13:00 (3600 s), rated 3 at
 *   13:10; reopened 03-03 09:00, pending 09:05, reopened 09:10, Ana resolves 09:20 (1200 s from the first
 *   reopen), rated 5 at 09:30.
 * - C3 Ana's, Shipping: opened 03-03 23:30 (03-04 08:30 in Tokyo), Ana answers +300 s; open.
 * - C4 unassigned: opened 03-02 14:00, Bob answers +600 s; open.
 * - C5 Bob's: opened 03-02 16:00, no answer, pending 17:00, Bob resolves 18:00 (7200 s: no earlier resolve).
 * - C6 Ana's: opened 03-01 10:00 (before the period, its answer not counted), Ana resolves 03-02 08:00 (79200 s).
 * - C7: opened 03-06, after the period. Another app has a conversation, a resolve and a rating in the period.
 */

let server: TestServer;
let tenant: App;
let other: App;
let ana: AuthSessionDto;
let bob: AuthSessionDto;
let cleo: AuthSessionDto;
let zed: AuthSessionDto;
let visitor: AuthSessionDto;
const labels: Record<'billing' | 'shipping' | 'unused', string> = { billing: '', shipping: '', unused: '' };

const at = (day: string, time: string) => new Date(`2026-03-${day}T${time}Z`);
const PERIOD = 'from=2026-03-02&to=2026-03-05';

type Step = { at: Date } & ({ text: string; by: AuthSessionDto } | { event: SystemEventDto['event']; by: AuthSessionDto });

async function conversation(app: App, opts: { created: Date; assignee?: AuthSessionDto; steps: Step[]; labels?: string[] }) {
  const guest = await server.guest(app, 'Vera');
  const [room] = (await server
    .db('rooms')
    .insert({
      appId: app.id,
      kind: 'support',
      createdBy: guest.user.id,
      status: 'open',
      assigneeId: opts.assignee?.user.id ?? null,
      createdAt: opts.created,
      lastSeq: opts.steps.length + 1,
    })
    .returning('id')) as { id: string }[];
  const roomId = room!.id;
  const first = { roomId, seq: 1, senderId: guest.user.id, text: 'Hello?', type: 'text', createdAt: opts.created };
  const rest = opts.steps.map((step, i) =>
    'text' in step
      ? { roomId, seq: i + 2, senderId: step.by.user.id, text: step.text, type: 'text', createdAt: step.at }
      : {
          roomId,
          seq: i + 2,
          senderId: step.by.user.id,
          text: step.event,
          type: 'system',
          meta: JSON.stringify({ event: step.event, actorId: step.by.user.id }),
          createdAt: step.at,
        },
  );
  await server.db('messages').insert([first, ...rest]);
  for (const labelId of opts.labels ?? []) await server.db('conversation_labels').insert({ roomId, labelId });
  return roomId;
}

async function rating(app: App, roomId: string, resolvedAt: Date, score: number, createdAt: Date): Promise<void> {
  await server.db('conversation_ratings').insert({ roomId, resolvedAt, appId: app.id, score, createdAt, updatedAt: createdAt });
}

beforeAll(async () => {
  server = await startTestServer();
  [tenant, other] = await Promise.all([server.createTenant(), server.createTenant()]);
  ana = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
  bob = await server.member(tenant, 'agent-bob', { role: 'agent', name: 'Bob' });
  cleo = await server.member(tenant, 'admin-cleo', { role: 'admin', name: 'Cleo' });
  visitor = await server.guest(tenant, 'Vic');
  for (const [key, name, colour] of [
    ['billing', 'Billing', 'blue'],
    ['shipping', 'Shipping', 'green'],
    ['unused', 'Unused', 'grey'],
  ] as const) {
    const [row] = (await server.db('support_labels').insert({ appId: tenant.id, name, colour }).returning('id')) as { id: string }[];
    labels[key] = row!.id;
  }

  const c1 = await conversation(tenant, {
    created: at('02', '10:00:00'),
    assignee: ana,
    labels: [labels.billing],
    steps: [
      { at: at('02', '10:01:00'), text: 'On it', by: ana },
      { at: at('02', '10:30:00'), event: 'resolved', by: ana },
    ],
  });
  await rating(tenant, c1, at('02', '10:30:00'), 5, at('02', '11:00:00'));
  const c2 = await conversation(tenant, {
    created: at('02', '12:00:00'),
    assignee: bob,
    labels: [labels.billing, labels.shipping],
    steps: [
      { at: at('02', '12:01:00'), event: 'assigned', by: bob },
      { at: at('02', '12:02:00'), text: 'Hi', by: bob },
      { at: at('02', '13:00:00'), event: 'resolved', by: bob },
      { at: at('03', '09:00:00'), event: 'reopened', by: bob },
      { at: at('03', '09:05:00'), event: 'pending', by: ana },
      { at: at('03', '09:10:00'), event: 'reopened', by: ana },
      { at: at('03', '09:20:00'), event: 'resolved', by: ana },
    ],
  });
  await rating(tenant, c2, at('02', '13:00:00'), 3, at('02', '13:10:00'));
  await rating(tenant, c2, at('03', '09:20:00'), 5, at('03', '09:30:00'));
  await conversation(tenant, {
    created: at('03', '23:30:00'),
    assignee: ana,
    labels: [labels.shipping],
    steps: [{ at: at('03', '23:35:00'), text: 'Hello', by: ana }],
  });
  await conversation(tenant, { created: at('02', '14:00:00'), steps: [{ at: at('02', '14:10:00'), text: 'Hey', by: bob }] });
  await conversation(tenant, {
    created: at('02', '16:00:00'),
    assignee: bob,
    steps: [
      { at: at('02', '17:00:00'), event: 'pending', by: bob },
      { at: at('02', '18:00:00'), event: 'resolved', by: bob },
    ],
  });
  await conversation(tenant, {
    created: at('01', '10:00:00'),
    assignee: ana,
    steps: [
      { at: at('01', '10:05:00'), text: 'Yes', by: ana },
      { at: at('02', '08:00:00'), event: 'resolved', by: ana },
    ],
  });
  await conversation(tenant, {
    created: at('06', '10:00:00'),
    assignee: ana,
    steps: [{ at: at('06', '10:01:00'), text: 'Later', by: ana }],
  });

  zed = await server.member(other, 'agent-zed', { role: 'agent', name: 'Zed' });
  const foreign = await conversation(other, {
    created: at('02', '10:00:00'),
    assignee: zed,
    steps: [
      { at: at('02', '10:00:05'), text: 'Quick', by: zed },
      { at: at('02', '10:00:10'), event: 'resolved', by: zed },
    ],
  });
  await rating(other, foreign, at('02', '10:00:10'), 1, at('02', '10:01:00'));
});

afterAll(() => server?.close());

function report(session: AuthSessionDto, query: string): Promise<ApiResponse<SupportReportDto>> {
  return server.request<SupportReportDto>('GET', `/v1/support/reports?${query}`, { token: session.accessToken });
}

async function ok(session: AuthSessionDto, query: string): Promise<SupportReportDto> {
  const res = await report(session, query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

type Spread = [median: number | null, p90: number | null, count: number];
/** Figures in the order a person reads them: opened, resolved, first response, resolution, CSAT. */
function figures(opened: number, resolved: number, first: Spread, resolution: Spread, csat: [number | null, number]): ReportFiguresDto {
  const spread = ([medianSeconds, p90Seconds, count]: Spread) => ({ medianSeconds, p90Seconds, count });
  return { opened, resolved, firstResponse: spread(first), resolution: spread(resolution), csat: { average: csat[0], count: csat[1] } };
}
const NONE: Spread = [null, null, 0];
const ZERO = figures(0, 0, NONE, NONE, [null, 0]);
// Totals of the period in UTC and in Tokyo alike: C1–C5 opened; answers 60, 120, 300, 600; resolutions
// [1200, 1800, 3600, 7200, 79200] → median 3600, p90 at 3.6 → 7200 + 0.6·72000 = 50400; ratings 5, 3, 5 → 4.33.
const TOTALS = figures(5, 5, [210, 510, 4], [3600, 50400, 5], [4.33, 3]);

const strip = ({ key, name, colour, ...rest }: SupportReportDto['rows'][number]) => ({ key, name, colour, ...rest });

describe('GET /v1/support/reports', () => {
  it('reports each day in UTC, the day without activity included', async () => {
    const body = await ok(ana, PERIOD);
    expect(body).toMatchObject({ from: '2026-03-02T00:00:00.000Z', to: '2026-03-05T00:00:00.000Z', timezone: 'UTC', groupBy: 'day' });
    expect(body.totals).toEqual(TOTALS);
    expect(body.rows.map(strip)).toEqual([
      // C1, C2, C4, C5; answers [60, 120, 600] → 120, p90 at 1.8 → 120 + 0.8·480 = 504; resolutions of C6, C1,
      // C2, C5: [1800, 3600, 7200, 79200] → 5400, p90 at 2.7 → 7200 + 0.7·72000 = 57600; ratings 5, 3 → 4.
      { key: '2026-03-02', name: '2026-03-02', colour: null, ...figures(4, 4, [120, 504, 3], [5400, 57600, 4], [4, 2]) },
      // C3 (answered in 300 s); C2's second round: 1200 s from the first reopen; its rating 5.
      { key: '2026-03-03', name: '2026-03-03', colour: null, ...figures(1, 1, [300, 300, 1], [1200, 1200, 1], [5, 1]) },
      { key: '2026-03-04', name: '2026-03-04', colour: null, ...ZERO },
    ]);
  });

  it('places facts on their day in the time zone asked for', async () => {
    const body = await ok(ana, `${PERIOD}&timezone=Asia/Tokyo`);
    // Midnight in Tokyo (UTC+9): the period starts at 15:00 UTC the day before, so C6 (03-01 19:00 JST) stays out.
    expect(body).toMatchObject({ from: '2026-03-01T15:00:00.000Z', to: '2026-03-04T15:00:00.000Z', timezone: 'Asia/Tokyo' });
    expect(body.totals).toEqual(TOTALS);
    expect(body.rows.map(strip)).toEqual([
      // C1, C2, C4 (23:00 JST); resolutions of C6 (17:00 JST), C1, C2: [1800, 3600, 79200] → 3600,
      // p90 at 1.8 → 3600 + 0.8·75600 = 64080; ratings 5, 3.
      { key: '2026-03-02', name: '2026-03-02', colour: null, ...figures(3, 3, [120, 504, 3], [3600, 64080, 3], [4, 2]) },
      // C5 (01:00 JST, unanswered); resolutions of C5 and C2: [1200, 7200] → 4200, p90 1200 + 0.9·6000 = 6600.
      { key: '2026-03-03', name: '2026-03-03', colour: null, ...figures(1, 2, NONE, [4200, 6600, 2], [5, 1]) },
      // C3 opened at 08:30 JST on the 4th, not on the 3rd as in UTC.
      { key: '2026-03-04', name: '2026-03-04', colour: null, ...figures(1, 0, [300, 300, 1], NONE, [null, 0]) },
    ]);
  });

  it('attributes figures to agents: assignee, who answered, who resolved, who resolved the rated resolution', async () => {
    const body = await ok(bob, `${PERIOD}&groupBy=agent`);
    expect(body.totals).toEqual(TOTALS);
    expect(body.rows.map(strip)).toEqual([
      // C1 and C3 assigned; answers 60, 300 → 180, p90 60 + 0.9·240 = 276; resolved C6, C1, C2's second:
      // [1200, 1800, 79200] → 1800, p90 at 1.8 → 1800 + 0.8·77400 = 63720; ratings of her resolutions 5, 5.
      { key: ana.user.id, name: 'Ana', colour: null, ...figures(2, 3, [180, 276, 2], [1800, 63720, 3], [5, 2]) },
      // C2 and C5 assigned (C4 is nobody's); answers 120, 600 → 360, p90 552; resolved C2, C5: [3600, 7200]
      // → 5400, p90 6840; the rating 3 of his resolution of C2.
      { key: bob.user.id, name: 'Bob', colour: null, ...figures(2, 2, [360, 552, 2], [5400, 6840, 2], [3, 1]) },
      { key: cleo.user.id, name: 'Cleo', colour: null, ...ZERO },
    ]);
  });

  it('reports each label with the conversations carrying it, unused labels included', async () => {
    const body = await ok(ana, `${PERIOD}&groupBy=label`);
    expect(body.totals).toEqual(TOTALS);
    expect(body.rows.map(strip)).toEqual([
      // C1, C2: answers 60, 120 → 90, p90 114; resolutions [1200, 1800, 3600] → 1800, p90 3240; ratings 5, 3, 5.
      { key: labels.billing, name: 'Billing', colour: 'blue', ...figures(2, 3, [90, 114, 2], [1800, 3240, 3], [4.33, 3]) },
      // C2, C3: answers 120, 300 → 210, p90 282; resolutions [1200, 3600] → 2400, p90 3360; ratings 3, 5.
      { key: labels.shipping, name: 'Shipping', colour: 'green', ...figures(2, 2, [210, 282, 2], [2400, 3360, 2], [4, 2]) },
      { key: labels.unused, name: 'Unused', colour: 'grey', ...ZERO },
    ]);
  });

  it('accepts date-times with an offset and reads the rest in the zone', async () => {
    // 03-02 09:00–13:30 UTC: C1 and C2 opened (60, 120 → 90, p90 114), resolved (1800, 3600 → 2700, p90 3420), rated 5 and 3.
    const body = await ok(ana, 'from=2026-03-02T10:00:00%2B01:00&to=2026-03-02T13:30&timezone=UTC');
    expect(body).toMatchObject({ from: '2026-03-02T09:00:00.000Z', to: '2026-03-02T13:30:00.000Z' });
    expect(body.totals).toEqual(figures(2, 2, [90, 114, 2], [2700, 3420, 2], [4, 2]));
    expect(body.rows.map((r) => r.key)).toEqual(['2026-03-02']);
  });

  it('shows a rating made through the API, for the last 7 days by default', async () => {
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'Where is my order?', clientId: randomUUID() },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id;
    const call = (session: AuthSessionDto, method: string, path: string, body?: unknown) =>
      server.request(method, path, { token: session.accessToken, body });
    expect((await call(ana, 'POST', `/v1/rooms/${id}/messages`, { text: 'It ships today', clientId: randomUUID() })).status).toBe(201);
    expect((await call(ana, 'POST', `/v1/support/conversations/${id}/resolve`)).status).toBe(200);
    const rated = await call(visitor, 'PUT', `/v1/support/conversations/${id}/rating`, { score: 4, comment: 'Thanks' });
    expect(rated.status, JSON.stringify(rated.body)).toBe(200);

    const body = await ok(ana, '');
    expect(body.rows).toHaveLength(7);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(7 * 86_400_000);
    expect(body.rows.at(-1)?.key).toBe(new Date().toISOString().slice(0, 10));
    expect(body.totals).toMatchObject({ opened: 1, resolved: 1, firstResponse: { count: 1 }, resolution: { count: 1 } });
    expect(body.totals.csat).toEqual({ average: 4, count: 1 });
    const byAgent = await ok(ana, 'groupBy=agent');
    expect(byAgent.rows.find((r) => r.key === ana.user.id)?.csat).toEqual({ average: 4, count: 1 });
  });

  it('is what the SDK answers', async () => {
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
    try {
      await client.connectSession(bob);
      const body = await client.support.reports({ from: '2026-03-02', to: '2026-03-05', groupBy: 'label' });
      expect(body.totals).toEqual(TOTALS);
      expect(body.rows.map((r) => [r.name, r.opened])).toEqual([
        ['Billing', 2],
        ['Shipping', 2],
        ['Unused', 0],
      ]);
    } finally {
      client.close();
    }
  });

  it('never shows another app: its agent sees only its own conversation and rating', async () => {
    const body = await ok(zed, PERIOD);
    // The other app's one conversation: answered in 5 s, resolved in 10 s, rated 1.
    expect(body.totals).toEqual(figures(1, 1, [5, 5, 1], [10, 10, 1], [1, 1]));
    const byLabel = await ok(zed, `${PERIOD}&groupBy=label`);
    expect(byLabel.rows).toEqual([]);
    const byAgent = await ok(zed, `${PERIOD}&groupBy=agent`);
    expect(byAgent.rows.map((r) => r.name)).toEqual(['Zed']);
  });

  it('is for agents and admins only', async () => {
    const res = await report(visitor, PERIOD);
    expect({ status: res.status, code: replyError(res.body)?.code }).toEqual({ status: 403, code: 'forbidden' });
    const anonymous = await server.request('GET', `/v1/support/reports?${PERIOD}`);
    expect(anonymous.status).toBe(401);
  });

  it("reads the period through migration 012's indexes, not a scan of every room or message", async () => {
    const app = await server.createTenant();
    const agent = await server.member(app, 'agent-ix', { role: 'agent' });
    const guest = await server.guest(app, 'Ike');
    // A year of 3,000 conversations of 3 messages each, the last a resolve: a week is a small part of it.
    await server.db.raw(
      `with r as (
         insert into rooms (app_id, kind, status, created_by, created_at, last_seq)
         select ?, 'support', 'resolved', ?, now() - g * interval '3 hours', 3 from generate_series(1, 3000) g returning id, created_at
       )
       insert into messages (room_id, seq, sender_id, text, type, meta, created_at)
       select r.id, s, ?::uuid, 'x', case when s = 3 then 'system' else 'text' end,
              case when s = 3 then jsonb_build_object('event', 'resolved', 'actorId', ?::text) end, r.created_at + s * interval '1 minute'
       from r, generate_series(1, 3) s`,
      [app.id, guest.user.id, agent.user.id, agent.user.id],
    );
    for (const table of ['rooms', 'messages']) await server.db.raw(`analyze ${table}`);
    const scope = { appId: app.id, from: new Date(Date.now() - 7 * 86_400_000), to: new Date(), timezone: 'UTC' };
    const raw = figuresQuery(server.db, scope, 'day').toSQL();
    const result = await server.db.raw(`explain ${raw.sql}`, raw.bindings as string[]);
    const plan = ((result.rows ?? result) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('rooms_support_created_index');
    expect(plan).toContain('messages_resolved_index');
    // The same 7 × 24 hours over the API: one conversation every 3 hours is 56 (55 when the oldest
    // was written a moment before the period began), each resolved 3 minutes later.
    const period = `from=${encodeURIComponent(scope.from.toISOString())}&to=${encodeURIComponent(scope.to.toISOString())}`;
    const { totals } = await ok(agent, period);
    expect([55, 56]).toContain(totals.opened);
    expect([55, 56]).toContain(totals.resolved);
    expect(totals.resolution).toEqual({ medianSeconds: 180, p90Seconds: 180, count: totals.resolved });
  });

  it.each([
    ['from=yesterday', 'query.from'],
    ['from=2026-02-30', 'query.from'],
    ['to=2026-03-02T25:00', 'query.to'],
    ['groupBy=week', 'query.groupBy'],
    ['timezone=Mars/Olympus', 'query.timezone'],
    ['from=2026-03-05&to=2026-03-02', 'query.to'],
    ['from=2026-03-02&to=2026-03-02', 'query.to'],
    ['from=2025-01-01&to=2026-03-01', 'query.from'],
  ])('answers %s with validation_failed', async (query, path) => {
    const res = await report(ana, query);
    expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({
      status: 422,
      code: 'validation_failed',
    });
    const details = (replyError(res.body)?.details ?? []) as { path: string }[];
    expect(details.map((d) => d.path)).toContain(path);
  });
});
