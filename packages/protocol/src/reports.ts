import type { LabelColour } from './support.js';

/** How a support report splits its figures into rows. */
export const REPORT_GROUPS = ['day', 'agent', 'label'] as const;
export type SupportReportGroup = (typeof REPORT_GROUPS)[number];
/** The longest period one report covers, in days. */
export const REPORT_SPAN_DAYS_MAX = 366;

/**
 * `GET /v1/support/reports`: a period of the app's support work. `from` and `to` are ISO dates
 * (`2026-11-01`, midnight in `timezone`) or date-times (`2026-11-01T09:00:00Z`; without an offset,
 * read in `timezone`); `to` is exclusive. By default the last 7 days including today.
 */
export interface SupportReportQuery {
  from?: string;
  to?: string;
  /** `day` (the default), `agent` or `label`. */
  groupBy?: SupportReportGroup;
  /** IANA time zone of the day rows and of dates without an offset; `UTC` by default. */
  timezone?: string;
}

/** A duration's spread: `percentile_cont` median and 90th percentile in whole seconds, over `count` samples. */
export interface ReportDurationDto {
  /** Null when `count` is 0. */
  medianSeconds: number | null;
  p90Seconds: number | null;
  count: number;
}

/** Satisfaction ratings made in the period. */
export interface ReportCsatDto {
  /** Mean score 1–5, two decimals; null without ratings. */
  average: number | null;
  count: number;
}

/**
 * The figures of one row (or of the whole period). Definitions (see the route's description):
 * - `opened`: conversations created in the period;
 * - `resolved`: resolutions in the period (one conversation resolved twice counts twice);
 * - `firstResponse`: for the conversations opened in the period that an agent answered, from the
 *   conversation's creation to the first text message by an agent or admin;
 * - `resolution`: for each resolution in the period, from the start of that round (the creation, or
 *   the first reopen after the previous resolution) to the resolution;
 * - `csat`: ratings created in the period.
 */
export interface ReportFiguresDto {
  opened: number;
  resolved: number;
  firstResponse: ReportDurationDto;
  resolution: ReportDurationDto;
  csat: ReportCsatDto;
}

/** One row: a day, an agent or a label, with its figures. */
export interface SupportReportRowDto extends ReportFiguresDto {
  /** `YYYY-MM-DD` (day), the agent's user id, or the label id. */
  key: string;
  /** What to show: the date, the agent's name (or username), or the label's name. */
  name: string;
  /** The label's colour; null for days and agents. */
  colour: LabelColour | null;
}

/** The answer of `GET /v1/support/reports`. */
export interface SupportReportDto {
  /** The period actually reported, as instants (`to` exclusive). */
  from: string;
  to: string;
  timezone: string;
  groupBy: SupportReportGroup;
  /**
   * Days: every day of the period in order, zero days included. Agents: every agent and admin of the
   * app (and anyone else with figures), by name. Labels: every label of the app, by name.
   */
  rows: SupportReportRowDto[];
  /** The whole period; rows need not add up to it (unassigned work, several labels on a conversation). */
  totals: ReportFiguresDto;
}
