import { describe, expect, it } from 'vitest';

import { addDays, localToday } from './calendar-day.js';

describe('calendar days', () => {
  it('adds days across months and years, and reads today in the local zone', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
