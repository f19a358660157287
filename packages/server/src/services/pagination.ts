import Joi from 'joi';
import { LIMITS } from '@confab/protocol';
import { ValidationError } from '../errors.js';

export const limitSchema = Joi.number().integer().min(1).max(LIMITS.pageMax).default(LIMITS.pageDefault);
export const cursorSchema = Joi.string().max(512);

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key;
  } catch {
    // falls through to the error
  }
  throw new ValidationError('Invalid cursor', [{ path: 'query.cursor', message: 'cursor is not one this API returned' }]);
}

/** Fetches `limit + 1` rows to learn whether there is more without a count. */
export function splitPage<T>(rows: T[], limit: number): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
