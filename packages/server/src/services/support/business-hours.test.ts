import { describe, expect, it } from 'vitest';

import { isValidTimeZone, withinBusinessHours } from './business-hours.js';

const weekdays = { open: '09:00', close: '18:00' };
const hours = {
  timezone: 'America/Sao_Paulo',
  days: { mon: [weekdays], tue: [weekdays], wed: [weekdays], thu: [weekdays], fri: [weekdays] },
};

describe('withinBusinessHours', () => {
  it('is always open when no hours are set', () => {
    expect(withinBusinessHours(null, new Date('2026-11-22T03:00:00Z'))).toBe(true);
  });

  it('reads the time in the team time zone', () => {
    // Monday 2026-11-23 12:30 UTC is 09:30 in São Paulo (UTC-3): open.
    expect(withinBusinessHours(hours, new Date('2026-11-23T12:30:00Z'))).toBe(true);
    // 11:30 UTC is 08:30 there: not yet.
    expect(withinBusinessHours(hours, new Date('2026-11-23T11:30:00Z'))).toBe(false);
  });

  it('closes at the closing minute and on days without hours', () => {
    expect(withinBusinessHours(hours, new Date('2026-11-23T20:59:00Z'))).toBe(true);
    expect(withinBusinessHours(hours, new Date('2026-11-23T21:00:00Z'))).toBe(false);
    // Saturday noon.
    expect(withinBusinessHours(hours, new Date('2026-11-28T15:00:00Z'))).toBe(false);
  });

  it('supports several ranges a day', () => {
    const split = {
      timezone: 'UTC',
      days: {
        sat: [
          { open: '08:00', close: '12:00' },
          { open: '14:00', close: '16:00' },
        ],
      },
    };
    expect(withinBusinessHours(split, new Date('2026-11-28T13:00:00Z'))).toBe(false);
    expect(withinBusinessHours(split, new Date('2026-11-28T15:00:00Z'))).toBe(true);
  });

  it('knows real time zones from made-up ones', () => {
    expect(isValidTimeZone('Europe/Lisbon')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
