import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor } from './pagination.js';

const uuid = randomUUID();

describe('decodeCursor', () => {
  it('reads back the cursors encodeCursor writes, typed by the declared kinds', () => {
    const at = new Date('2024-02-29T23:59:59.123Z').toISOString();
    expect(decodeCursor(encodeCursor([at, uuid]), ['iso-date', 'uuid'])).toEqual([at, uuid]);
    expect(decodeCursor(encodeCursor(['ana lópez', uuid]), ['string', 'uuid'])).toEqual(['ana lópez', uuid]);
    expect(decodeCursor(encodeCursor([42]), ['int'])).toEqual([42]);
  });

  it.each([
    ['a number for a date', [1, uuid]],
    ['an impossible date', ['2020-13-45T00:00:00.000Z', uuid]],
    ['a date that rolls over', ['2021-02-29T00:00:00.000Z', uuid]],
    ['year zero', ['0000-01-01T00:00:00.000Z', uuid]],
    ['a date without time', ['2020-01-01', uuid]],
    ['an offset instead of Z', ['2020-01-01T00:00:00.000+01:00', uuid]],
    ['a nested array', [['2020-01-01T00:00:00.000Z'], [uuid]]],
    ['an object', { at: '2020-01-01T00:00:00.000Z', id: uuid }],
    ['a bad uuid', ['2020-01-01T00:00:00.000Z', 'nope']],
    ['too many elements', ['2020-01-01T00:00:00.000Z', uuid, 1]],
  ])('refuses %s with a ValidationError on query.cursor', (_what, key) => {
    const cursor = encodeCursor(key as unknown[]);
    expect(() => decodeCursor(cursor, ['iso-date', 'uuid'])).toThrow(ValidationError);
    try {
      decodeCursor(cursor, ['iso-date', 'uuid']);
    } catch (err) {
      expect((err as ValidationError).details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
    }
  });

  it('refuses unsafe integers, fractions and NUL in strings', () => {
    expect(() => decodeCursor(encodeCursor([2 ** 53]), ['int'])).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor([1.5]), ['int'])).toThrow(ValidationError);
    expect(() => decodeCursor(encodeCursor(['a\u0000', uuid]), ['string', 'uuid'])).toThrow(ValidationError);
    expect(() => decodeCursor('%%%', ['string'])).toThrow(ValidationError);
  });
});
