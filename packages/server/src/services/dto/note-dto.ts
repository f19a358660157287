import type { SupportNoteDto, UserSummaryDto } from '@confab/protocol';
import type { Knex } from 'knex';

import { SUMMARY_COLUMNS, toUserSummary } from './user-dto.js';

export interface NoteRow {
  id: string;
  roomId: string;
  appId: string;
  authorId: string | null;
  clientId: string;
  text: string;
  mentions: string[];
  createdAt: Date | string;
  deletedAt: Date | string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A deleted note keeps its id and time but not its words. */
export function toNoteDto(row: NoteRow, author: UserSummaryDto | null): SupportNoteDto {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    conversationId: row.roomId,
    author,
    text: deleted ? '' : row.text,
    mentions: deleted ? [] : (row.mentions ?? []),
    clientId: row.clientId,
    createdAt: iso(row.createdAt)!,
    deletedAt: iso(row.deletedAt),
  };
}

/** The notes with their authors: one query for the authors of a whole page. */
export async function toNoteDtos(db: Knex, rows: NoteRow[]): Promise<SupportNoteDto[]> {
  const ids = [...new Set(rows.map((r) => r.authorId).filter((id): id is string => !!id))];
  const users = ids.length
    ? await db('users')
        .whereIn('id', ids)
        .select(...SUMMARY_COLUMNS)
    : [];
  const authors = new Map<string, UserSummaryDto>(users.map((u: Parameters<typeof toUserSummary>[0]) => [u.id, toUserSummary(u)]));
  return rows.map((r) => toNoteDto(r, authors.get(r.authorId ?? '') ?? null));
}
