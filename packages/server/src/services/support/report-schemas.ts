import { LIMITS, REPORT_GROUPS, type SupportReportGroup, type SupportReportQuery } from '@confab/protocol';
import Joi from 'joi';

import { isValidTimeZone } from './business-hours.js';

/** `GET /v1/support/reports` after validation: the group and the zone always there. */
export interface ReportInput extends SupportReportQuery {
  groupBy: SupportReportGroup;
  timezone: string;
}

// A date, or a date-time with an optional offset: the forms PostgreSQL reads the same way everywhere.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,6})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** Whether `value` is an ISO date or date-time that names a real day (no 2026-02-30). */
export function isIsoDateOrTime(value: string): boolean {
  const match = ISO.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the date-time carries its own offset (else it is read in the report's time zone). */
export const hasOffset = (value: string): boolean => /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.includes('T');

const when = Joi.string()
  .trim()
  .max(40)
  .custom((value: string, helpers) => (isIsoDateOrTime(value) ? value : helpers.error('any.invalid')))
  .messages({ 'any.invalid': '{#label} must be an ISO date (2026-11-01) or date-time (2026-11-01T09:00:00Z)' });

export const reportQuerySchema = Joi.object<ReportInput>({
  from: when,
  to: when,
  groupBy: Joi.string()
    .valid(...REPORT_GROUPS)
    .default('day'),
  timezone: Joi.string()
    .trim()
    .max(LIMITS.timeZoneMax)
    .custom((value: string, helpers) => (isValidTimeZone(value) ? value : helpers.error('any.invalid')))
    .messages({ 'any.invalid': '{#label} must be an IANA time zone, e.g. Europe/Lisbon' })
    .default('UTC'),
});
