import type { ReportFiguresDto, SupportReportGroup } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';

/** The period and scope of one report; `from`/`to` are instants, `to` exclusive. */
export interface ReportScope {
  appId: string;
  from: Date;
  to: Date;
  timezone: string;
}

/** One aggregated group as the query answers it; `key` null is the whole period. */
export interface FiguresRow {
  key: string | null;
  opened: number;
  resolved: number;
  firstMedian: number | null;
  firstP90: number | null;
  firstCount: number;
  resolutionMedian: number | null;
  resolutionP90: number | null;
  resolutionCount: number;
  csatAverage: number | null;
  csatCount: number;
}

// Status events are system messages; `meta.event` says which. Rounds are ordered by seq, exact within a room.
const EVENT = (alias: string, event: string) => `${alias}.type = 'system' and ${alias}.meta->>'event' = '${event}'`;

/**
 * Every fact of the period, one row each: `kind` (opened | first | resolved | csat), the room, the
 * instant that places it on a day, the agent it is attributed to and its value (seconds, or a score).
 * Bindings: app, from, to (three times: rooms, resolves, ratings).
 */
const FACTS = `
  opened as (
    select r.id as room_id, r.created_at as at, r.assignee_id::text as agent,
           fr.at as reply_at, fr.sender_id::text as replier
    from rooms r
    left join lateral (
      select m.created_at as at, m.sender_id
      from messages m join users u on u.id = m.sender_id
      where m.room_id = r.id and m.type = 'text' and u.kind = 'member' and u.role in ('agent', 'admin')
      order by m.seq
      limit 1
    ) fr on true
    where r.app_id = ? and r.kind = 'support' and r.created_at >= ? and r.created_at < ?
  ),
  resolves as (
    select m.room_id, m.created_at as at, m.meta->>'actorId' as agent,
           extract(epoch from m.created_at - coalesce(
             (select min(x.created_at) from messages x
               where x.room_id = m.room_id and x.seq > prev.seq and x.seq < m.seq
                 and x.type = 'system' and x.meta->>'event' in ('reopened', 'pending')),
             prev.at,
             r.created_at))::float8 as seconds
    from messages m
    join rooms r on r.id = m.room_id
    left join lateral (
      select p.seq, p.created_at as at from messages p
      where p.room_id = m.room_id and p.seq < m.seq and ${EVENT('p', 'resolved')}
      order by p.seq desc
      limit 1
    ) prev on true
    where r.app_id = ? and r.kind = 'support' and ${EVENT('m', 'resolved')} and m.created_at >= ? and m.created_at < ?
  ),
  ratings as (
    select cr.room_id, cr.created_at as at, cr.score::float8 as score,
           (select m.meta->>'actorId' from messages m
             where m.room_id = cr.room_id and ${EVENT('m', 'resolved')}
             order by abs(extract(epoch from m.created_at - cr.resolved_at))
             limit 1) as agent
    from conversation_ratings cr
    where cr.app_id = ? and cr.created_at >= ? and cr.created_at < ?
  ),
  facts as (
    select 'opened' as kind, room_id, at, agent, null::float8 as value from opened
    union all
    select 'first', room_id, at, replier, extract(epoch from reply_at - at)::float8 from opened where reply_at is not null
    union all
    select 'resolved', room_id, at, agent, seconds from resolves
    union all
    select 'csat', room_id, at, agent, score from ratings
  )`;

const spread = (kind: string, name: string) => `
    round(percentile_cont(0.5) within group (order by value) filter (where kind = '${kind}')) as "${name}Median",
    round(percentile_cont(0.9) within group (order by value) filter (where kind = '${kind}')) as "${name}P90",
    count(*) filter (where kind = '${kind}')::int as "${name}Count"`;

const FIGURES = `
    count(*) filter (where kind = 'opened')::int as "opened",
    count(*) filter (where kind = 'resolved')::int as "resolved",
    ${spread('first', 'first')},
    ${spread('resolved', 'resolution')},
    round(avg(value) filter (where kind = 'csat')::numeric, 2)::float8 as "csatAverage",
    count(*) filter (where kind = 'csat')::int as "csatCount"`;

/** What a fact is grouped by: its day in the zone (binding: the zone), its agent, or each current label. */
function keyed(groupBy: SupportReportGroup): { key: string; join: string; zone: boolean } {
  switch (groupBy) {
    case 'day':
      return { key: "to_char(f.at at time zone ?, 'YYYY-MM-DD')", join: '', zone: true };
    case 'agent':
      return { key: 'f.agent', join: '', zone: false };
    case 'label':
      return { key: 'cl.label_id::text', join: 'join conversation_labels cl on cl.room_id = f.room_id', zone: false };
  }
}

/**
 * The figures of each group and of the whole period (`key` null), computed in the database: the
 * percentiles with `percentile_cont`, so no row of the period is loaded here.
 */
export function figuresQuery(db: Db, scope: ReportScope, groupBy: SupportReportGroup): Knex.Raw {
  const { key, join, zone } = keyed(groupBy);
  const period = [scope.from, scope.to];
  const bindings = [
    ...[scope.appId, ...period],
    ...[scope.appId, ...period],
    ...[scope.appId, ...period],
    ...(zone ? [scope.timezone] : []),
  ];
  return db.raw(
    `with ${FACTS}
     select * from (
       select ${key} as "key", ${FIGURES} from facts f ${join} group by 1
     ) grouped where "key" is not null
     union all
     select null, ${FIGURES} from facts`,
    bindings,
  );
}

/** The days of the period in the zone, in order (`to` exclusive). */
export function daysQuery(db: Db, scope: ReportScope): Knex.Raw {
  return db.raw(
    `select to_char(d, 'YYYY-MM-DD') as "day"
     from generate_series((?::timestamptz at time zone ?)::date, ((?::timestamptz - interval '1 microsecond') at time zone ?)::date,
                          interval '1 day') d
     order by d`,
    [scope.from, scope.timezone, scope.to, scope.timezone],
  );
}

/** A query's figures as the wire shape. */
export function toFigures(row: FiguresRow | undefined): ReportFiguresDto {
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    opened: Number(row?.opened ?? 0),
    resolved: Number(row?.resolved ?? 0),
    firstResponse: { medianSeconds: num(row?.firstMedian), p90Seconds: num(row?.firstP90), count: Number(row?.firstCount ?? 0) },
    resolution: {
      medianSeconds: num(row?.resolutionMedian),
      p90Seconds: num(row?.resolutionP90),
      count: Number(row?.resolutionCount ?? 0),
    },
    csat: { average: num(row?.csatAverage), count: Number(row?.csatCount ?? 0) },
  };
}
