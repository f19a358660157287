import type { BusinessHoursDto, Weekday } from '@confab/protocol';

const WEEKDAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };
const formatters = new Map<string, Intl.DateTimeFormat>();

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `timezone` is one the runtime knows (IANA name). */
export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Whether `at` falls in the opening hours, read in their own time zone; no hours set means always open. */
export function withinBusinessHours(hours: BusinessHoursDto | null | undefined, at: Date): boolean {
  if (!hours) return true;
  let format = formatters.get(hours.timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(hours.timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const day = parts.weekday === undefined ? undefined : WEEKDAYS[parts.weekday];
  if (!day) return false;
  const now = Number(parts.hour) * 60 + Number(parts.minute);
  return (hours.days[day] ?? []).some((range) => minutes(range.open) <= now && now < minutes(range.close));
}
