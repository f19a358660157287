import { describe, expect, it } from 'vitest';

import { formatDuration } from './duration.js';

describe('formatDuration', () => {
  it('says seconds, then minutes, then hours and minutes, then days and hours', () => {
    expect(formatDuration(45)).toBe('45 sec');
    expect(formatDuration(240)).toBe('4 min');
    expect(formatDuration(4800)).toBe('1 hr 20 min');
    expect(formatDuration(7200)).toBe('2 hr');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 600)).toBe('2 days 3 hr');
    expect(formatDuration(86_400)).toBe('1 day');
  });

  it('rounds to the unit it shows, never below zero', () => {
    expect(formatDuration(89)).toBe('1 min');
    expect(formatDuration(91)).toBe('2 min');
    expect(formatDuration(-5)).toBe('0 sec');
  });

  it('speaks the locale', () => {
    expect(formatDuration(4800, 'pt-BR')).toBe('1 h 20 min');
    expect(formatDuration(240, 'es')).toBe('4 min');
  });
});
