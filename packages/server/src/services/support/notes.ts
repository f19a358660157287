import type { NoteInput, PageDto, SupportNoteDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { RoomRecord } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import { type Actor, requireStaff } from '../actor.js';
import { type NoteRow, toNoteDtos } from '../dto/note-dto.js';
import type { DomainEvents } from '../events.js';
import type { PageInput } from '../fields.js';
import { decodeCursor, encodeCursor, splitPage } from '../pagination.js';

const STAFF_ONLY = 'Only agents and admins of this app see private notes';
// `@name` at the start or after a space or punctuation, not inside an email address (`a@b.c`).
const MENTION = /(?:^|[^\w.@-])@([a-zA-Z0-9][a-zA-Z0-9._-]*)/g;

/** The lower-cased usernames `@mentioned` in `text`; `@bob.` or `@bob,` at a sentence's end names `bob`. */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const [, raw] of text.matchAll(MENTION)) {
    const name = raw!.toLowerCase();
    names.add(name);
    names.add(name.replace(/[._-]+$/, ''));
  }
  names.delete('');
  return [...names];
}

/**
 * Agents' private notes on support conversations, in their own table: nothing that serves messages
 * (history, catch-up, last message, message webhooks, search) reads it, so a visitor never gets
 * one. Writes are announced as `note.created` / `note.deleted`; the publisher tells only the app's
 * agents, and each agent a note `@mentions`.
 */
export class NotesService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
  ) {}

  /** The conversation's notes, oldest first (deleted ones left out). */
  async list(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<SupportNoteDto>> {
    await this.conversation(actor, roomId);
    const query = this.db('conversation_notes')
      .where({ roomId })
      .whereNull('deletedAt')
      .orderBy([
        { column: 'createdAt', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['iso-date', 'uuid']);
      query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [at, id]);
    }
    const { items, hasMore } = splitPage((await query.limit(page.limit + 1)) as NoteRow[], page.limit);
    const last = items.at(-1);
    return {
      items: await toNoteDtos(this.db, items),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([new Date(last.createdAt).toISOString(), last.id]) } : {}),
    };
  }

  /** Writes a note; `created` is false for a retry (same author and clientId), which returns the first one. */
  async add(actor: Actor, roomId: string, input: NoteInput): Promise<{ note: SupportNoteDto; created: boolean }> {
    await this.conversation(actor, roomId);
    const previous = await this.byClientId(actor, input.clientId);
    if (previous) return { note: await this.retried(previous, roomId), created: false };
    const mentions = await this.staffNamed(actor, input.text);
    const fields = { roomId, appId: actor.appId, authorId: actor.id, clientId: input.clientId, text: input.text, mentions };
    const [row] = (await this.db('conversation_notes')
      // Milliseconds, as the page cursor carries them (a finer time would repeat a note across pages).
      .insert({ ...fields, createdAt: this.db.raw("date_trunc('milliseconds', now())") })
      .onConflict(['author_id', 'client_id'])
      .ignore()
      .returning('*')) as NoteRow[];
    // Two tries of one note at once: the one that lost the insert answers with the winner's note.
    if (!row) return { note: await this.retried((await this.byClientId(actor, input.clientId))!, roomId), created: false };
    const [note] = await toNoteDtos(this.db, [row]);
    this.events.emit('note.created', { appId: actor.appId, note: note! });
    return { note: note!, created: true };
  }

  /** Deletes a note: its author or an admin of the app. */
  async remove(actor: Actor, noteId: string): Promise<void> {
    requireStaff(actor, STAFF_ONLY);
    const row = (await this.db('conversation_notes').where({ id: noteId, appId: actor.appId }).whereNull('deletedAt').first()) as
      NoteRow | undefined;
    if (!row) throw new NotFoundError('Note');
    if (row.authorId !== actor.id && actor.role !== 'admin') throw new ForbiddenError('Only its author or an admin can delete a note');
    const [deleted] = (await this.db('conversation_notes')
      .update({ deletedAt: new Date() })
      .where({ id: noteId })
      .whereNull('deletedAt')
      .returning('*')) as NoteRow[];
    if (!deleted) throw new NotFoundError('Note');
    const [note] = await toNoteDtos(this.db, [deleted]);
    this.events.emit('note.deleted', { appId: actor.appId, note: note! });
  }

  private async conversation(actor: Actor, roomId: string): Promise<void> {
    requireStaff(actor, STAFF_ONLY);
    const room = await RoomRecord.query(this.db).findOne({ id: roomId, appId: actor.appId, kind: 'support' }).select('id');
    if (!room) throw new NotFoundError('Conversation');
  }

  private async byClientId(actor: Actor, clientId: string): Promise<NoteRow | undefined> {
    return (await this.db('conversation_notes').where({ authorId: actor.id, clientId }).first()) as NoteRow | undefined;
  }

  private async retried(previous: NoteRow, roomId: string): Promise<SupportNoteDto> {
    if (previous.roomId !== roomId) throw new ConflictError('This clientId was already used for a note on another conversation');
    return (await toNoteDtos(this.db, [previous]))[0]!;
  }

  /** The app's agents and admins the text `@mentions`, by username ignoring case; never the author. */
  private async staffNamed(actor: Actor, text: string): Promise<string[]> {
    // More names than a team has agents is not a note worth looking up in full.
    const names = mentionedNames(text).slice(0, 100);
    if (!names.length) return [];
    const rows = (await this.db('users')
      .where({ appId: actor.appId })
      .whereIn('role', ['agent', 'admin'])
      .whereNot({ id: actor.id })
      .whereRaw(`lower(username) in (${names.map(() => '?').join(', ')})`, names)
      .select('id')) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
