import {
  type LabelColour,
  REPORT_SPAN_DAYS_MAX,
  type ReportFiguresDto,
  type SupportReportDto,
  type SupportReportRowDto,
} from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { dbErrorCode, ValidationError } from '../../errors.js';
import { type Actor, requireStaff } from '../actor.js';
import { daysQuery, figuresQuery, type FiguresRow, type ReportScope, toFigures } from './report-query.js';
import { hasOffset, type ReportInput } from './report-schemas.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type RowHead = Omit<SupportReportRowDto, keyof ReportFiguresDto>;
type Rows<T> = { rows?: T[] } | T[];
const rowsOf = <T>(result: Rows<T>): T[] => (Array.isArray(result) ? result : (result.rows ?? []));

interface Person {
  id: string;
  name: string | null;
  lastName: string | null;
  username: string | null;
}

const personName = (p: Person): string => [p.name, p.lastName].filter(Boolean).join(' ') || p.username || p.id.slice(0, 8);
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });

/**
 * Support reports: what the app's team did in a period, by day, by agent or by label. Staff only;
 * every figure is of the caller's app. Definitions (the route's description repeats them):
 * - opened: conversations created in the period;
 * - resolved: resolve events (system messages `resolved`) in the period;
 * - firstResponse: for the conversations opened in the period, creation → the first text message of
 *   an agent or admin (even one sent after the period, or deleted later); unanswered ones don't count;
 * - resolution: for each resolve event in the period, the start of its round → the resolve; a round
 *   starts at the creation, or, after an earlier resolve, at the first reopen (or pending) after it;
 * - csat: ratings created in the period (a re-rating replaces the score, not the date).
 * Rows by day place each fact on its day in `timezone` (a first response on the day its conversation
 * opened). By agent: opened → the current assignee, first response → who sent it, resolved and
 * resolution → who resolved, csat → who resolved the rated resolution. By label: every figure of the
 * conversations carrying the label now.
 */
export class ReportsService {
  constructor(private readonly db: Db) {}

  async report(actor: Actor, input: ReportInput): Promise<SupportReportDto> {
    requireStaff(actor, 'Only agents and admins of this app see reports');
    const scope = await this.period(actor.appId, input);
    const figures = rowsOf<FiguresRow>(await figuresQuery(this.db, scope, input.groupBy));
    const byKey = new Map(figures.filter((f) => f.key !== null).map((f) => [f.key!, f]));
    const rows = await this.rowsOf(scope, input, [...byKey.keys()]);
    return {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      timezone: scope.timezone,
      groupBy: input.groupBy,
      rows: rows.map((row) => ({ ...row, ...toFigures(byKey.get(row.key)) })),
      totals: toFigures(figures.find((f) => f.key === null)),
    };
  }

  /**
   * The period as instants: dates and offset-less times read in the zone (PostgreSQL's own zone
   * rules, so days and buckets agree); by default the 7 days up to the end of today.
   */
  private async period(appId: string, input: ReportInput): Promise<ReportScope> {
    const tz = input.timezone;
    const at = (value: string) => (hasOffset(value) ? { sql: '?::timestamptz', bindings: [value] } : local(value, tz));
    const to = input.to
      ? at(input.to)
      : { sql: "(date_trunc('day', now() at time zone ?) + interval '1 day') at time zone ?", bindings: [tz, tz] };
    const from = input.from
      ? at(input.from)
      : { sql: `((${to.sql}) at time zone ? - interval '${DEFAULT_DAYS} days') at time zone ?`, bindings: [...to.bindings, tz, tz] };
    let row: { from: Date | string; to: Date | string } | undefined;
    try {
      const result = await this.db.raw<Rows<{ from: Date; to: Date }>>(`select (${from.sql}) as "from", (${to.sql}) as "to"`, [
        ...from.bindings,
        ...to.bindings,
      ]);
      row = rowsOf(result)[0];
    } catch (err) {
      // The zone passed the runtime's check but this database does not know it; or a date it cannot hold.
      if (['22023', '22007', '22008', '22009'].includes(dbErrorCode(err) ?? '')) {
        throw new ValidationError('The period or time zone is not one this server can read', [
          { path: 'query.timezone', message: 'timezone, from or to is not understood by the database' },
        ]);
      }
      throw err;
    }
    const scope = { appId, timezone: tz, from: new Date(row!.from), to: new Date(row!.to) };
    const span = scope.to.getTime() - scope.from.getTime();
    if (!(span > 0)) throw new ValidationError('to must be after from', [{ path: 'query.to', message: 'to must be after from' }]);
    if (span > REPORT_SPAN_DAYS_MAX * DAY_MS) {
      const message = `A report covers at most ${REPORT_SPAN_DAYS_MAX} days`;
      throw new ValidationError(message, [{ path: 'query.from', message }]);
    }
    return scope;
  }

  /** The rows the report lists, figures aside: every day, every agent, or every label. */
  private async rowsOf(scope: ReportScope, input: ReportInput, keys: string[]): Promise<RowHead[]> {
    if (input.groupBy === 'day') {
      const days = rowsOf<{ day: string }>(await daysQuery(this.db, scope));
      return days.map(({ day }) => ({ key: day, name: day, colour: null }));
    }
    if (input.groupBy === 'label') {
      const labels: { id: string; name: string; colour: LabelColour }[] = await this.db('support_labels')
        .where({ appId: scope.appId })
        .orderByRaw('lower(name), id')
        .select('id', 'name', 'colour');
      return labels.map((l) => ({ key: l.id, name: l.name, colour: l.colour }));
    }
    return this.agents(scope.appId, keys);
  }

  /** The app's agents and admins, and anyone else with figures in the period (a former agent). */
  private async agents(appId: string, keys: string[]): Promise<RowHead[]> {
    // Keys come from meta.actorId too: only well-formed ids reach the uuid column.
    const active = keys.filter((k) => UUID.test(k));
    const people: Person[] = await this.db('users')
      .where({ appId })
      .andWhere((q) => {
        void q.where({ kind: 'member' }).whereIn('role', ['agent', 'admin']);
        if (active.length) void q.orWhereIn('id', active);
      })
      .select('id', 'name', 'lastName', 'username');
    return people.map((p) => ({ key: p.id, name: personName(p), colour: null })).sort(byName);
  }
}

/** A date or offset-less date-time read in `tz`, as SQL. */
function local(value: string, tz: string): { sql: string; bindings: string[] } {
  return { sql: '?::timestamp at time zone ?', bindings: [value, tz] };
}
