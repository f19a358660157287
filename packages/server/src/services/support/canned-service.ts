import type { CannedResponseDto, PageDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { CannedResponse } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, NotFoundError } from '../../errors.js';
import { type Actor, requireStaff } from '../actor.js';
import { likePattern } from '../pagination.js';
import type { CannedInput } from './schemas.js';

const STAFF_ONLY = 'Only agents and admins of this app use canned responses';
// An app's saved replies are few: the list is returned whole, sorted by shortcut.
const LIST_MAX = 500;

function toDto(c: CannedResponse): CannedResponseDto {
  return {
    id: c.id,
    shortcut: c.shortcut,
    text: c.text,
    createdBy: c.createdBy,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

function rethrowTaken(err: unknown): never {
  if (dbErrorCode(err) === '23505') throw new ConflictError('That shortcut is already used');
  throw err;
}

/** Agents' saved replies, shared by the app's team, typed as `/shortcut` in the composer. */
export class CannedResponsesService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, q?: string): Promise<PageDto<CannedResponseDto>> {
    requireStaff(actor, STAFF_ONLY);
    const query = CannedResponse.query(this.db).where({ appId: actor.appId }).orderBy('shortcut').limit(LIST_MAX);
    if (q) {
      query.where((w) => {
        w.whereILike('shortcut', likePattern(q)).orWhereILike('text', likePattern(q));
      });
    }
    return { items: (await query).map(toDto), hasMore: false };
  }

  async create(actor: Actor, input: CannedInput): Promise<CannedResponseDto> {
    requireStaff(actor, STAFF_ONLY);
    const row = await CannedResponse.query(this.db)
      .insertAndFetch({ appId: actor.appId, shortcut: input.shortcut.toLowerCase(), text: input.text, createdBy: actor.id })
      .catch(rethrowTaken);
    return toDto(row);
  }

  async update(actor: Actor, id: string, input: Partial<CannedInput>): Promise<CannedResponseDto> {
    requireStaff(actor, STAFF_ONLY);
    const patch = { ...input, ...(input.shortcut ? { shortcut: input.shortcut.toLowerCase() } : {}), updatedAt: new Date() };
    const [row] = await CannedResponse.query(this.db).patch(patch).where({ id, appId: actor.appId }).returning('*').catch(rethrowTaken);
    if (!row) throw new NotFoundError('Canned response');
    return toDto(row);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requireStaff(actor, STAFF_ONLY);
    const deleted = await CannedResponse.query(this.db).delete().where({ id, appId: actor.appId });
    if (!deleted) throw new NotFoundError('Canned response');
  }
}
