import { describe, expect, it } from 'vitest';

import { first, single, zip } from './lists.js';

describe('single', () => {
  it('returns the only item, and refuses an empty list or one with more items', () => {
    expect(single(['a'])).toBe('a');
    expect(() => single([])).toThrow('Expected exactly one item, got 0');
    expect(() => single(['a', 'b'])).toThrow('Expected exactly one item, got 2');
  });
});

describe('first', () => {
  it('returns the first item and refuses an empty list', () => {
    expect(first([3, 4])).toBe(3);
    expect(() => first([])).toThrow('Expected a non-empty list');
  });
});

describe('zip', () => {
  it('pairs items by position and refuses lists of different lengths', () => {
    expect(zip(['a', 'b'], [1, 2])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(zip([], [])).toEqual([]);
    expect(() => zip(['a'], [1, 2])).toThrow('Cannot pair 1 items with 2');
  });
});
