import { Readable } from 'node:stream';

import type { Db } from '../../db/knex.js';
import { User } from '../../db/models/index.js';
import type { Actor } from '../actor.js';
import { toUserDto } from '../dto/user-dto.js';

/** Messages read per query: the archive is written page by page, never held whole. */
const BATCH = 500;

interface MessageRow {
  id: string;
  roomId: string;
  seq: string | number;
  type: string;
  text: string;
  replyToId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * Everything Confab holds about one person, as a JSON archive streamed page by page (a person with
 * 100,000 messages costs one page of memory at a time): their profile; the rooms they are in, with
 * their role and read/delivered marks; every message they wrote (deleted ones as tombstones), with
 * the reactions on it (emoji and count: who reacted is those people's data) and how many members
 * have read it; their own reactions; and their uploads' metadata with download paths. Other
 * people's messages, names and emails are not in it.
 */
export class UserExport {
  constructor(private readonly db: Db) {}

  /** The archive of `userId` (of `appId`), as a stream of JSON text. */
  stream(appId: string, userId: string, viewer: Pick<Actor, 'id' | 'role'>): Readable {
    return Readable.from(this.chunks(appId, userId, viewer), { objectMode: false });
  }

  private async *chunks(appId: string, userId: string, viewer: Pick<Actor, 'id' | 'role'>): AsyncGenerator<string> {
    const user = await User.query(this.db).findOne({ id: userId, appId }).throwIfNotFound();
    const app = (await this.db('apps').where({ id: appId }).first('id', 'name')) as { id: string; name: string };
    yield `{"format":"confab-export-1","exportedAt":${JSON.stringify(new Date().toISOString())},`;
    yield `"app":${JSON.stringify(app)},"profile":${JSON.stringify(toUserDto(user, viewer))},`;
    yield `"rooms":${JSON.stringify(await this.rooms(userId))},`;
    yield '"messages":[';
    let first = true;
    for await (const page of this.messagePages(userId)) {
      for (const item of page) {
        yield (first ? '' : ',') + JSON.stringify(item);
        first = false;
      }
    }
    yield `],"reactions":${JSON.stringify(await this.ownReactions(userId))},`;
    yield `"uploads":${JSON.stringify(await this.uploads(userId))}}`;
  }

  private async rooms(userId: string) {
    const rows = (await this.db('memberships as m')
      .join('rooms as r', 'r.id', 'm.room_id')
      .where('m.user_id', userId)
      .orderBy('m.joined_at')
      .select('r.id', 'r.kind', 'r.name', 'm.role', 'm.joined_at', 'm.read_seq', 'm.delivered_seq')) as {
      id: string;
      kind: string;
      name: string | null;
      role: string;
      joinedAt: Date;
      readSeq: string | number;
      deliveredSeq: string | number;
    }[];
    return rows.map((r) => ({ ...r, joinedAt: iso(r.joinedAt), readSeq: Number(r.readSeq), deliveredSeq: Number(r.deliveredSeq) }));
  }

  /** Their messages oldest first, a batch at a time (keyset on the sender index). */
  private async *messagePages(userId: string) {
    let after: string | null = null;
    for (;;) {
      const query = this.db('messages')
        .where({ senderId: userId })
        .orderBy([
          { column: 'createdAt', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(BATCH)
        .select('id', 'room_id', 'seq', 'type', 'text', 'reply_to_id', 'created_at', 'edited_at', 'deleted_at');
      // The last row's own time, read in SQL (a JavaScript Date would drop its microseconds).
      if (after) query.whereRaw('(created_at, id) > (select created_at, id from messages where id = ?)', [after]);
      const rows = (await query) as MessageRow[];
      if (!rows.length) return;
      yield await this.described(rows);
      const last = rows.at(-1)!;
      after = last.id;
      if (rows.length < BATCH) return;
    }
  }

  private async described(rows: MessageRow[]) {
    const ids = rows.map((r) => r.id);
    const [reactions, reads, files] = await Promise.all([
      this.db('reactions').whereIn('message_id', ids).groupBy('message_id', 'emoji').select('message_id', 'emoji').count('* as count'),
      // Members other than the sender whose read mark has passed the message.
      this.db('messages as msg')
        .join('memberships as mb', 'mb.room_id', 'msg.room_id')
        .whereIn('msg.id', ids)
        .whereRaw('mb.user_id <> msg.sender_id and mb.read_seq >= msg.seq')
        .groupBy('msg.id')
        .select('msg.id')
        .count('* as count'),
      this.db('attachments').whereIn('message_id', ids).select('id', 'message_id', 'filename', 'mime', 'size'),
    ]);
    const byMessage = <T extends { messageId: string }>(list: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of list) map.set(item.messageId, [...(map.get(item.messageId) ?? []), item]);
      return map;
    };
    const reactionsOf = byMessage(reactions as unknown as { messageId: string; emoji: string; count: string | number }[]);
    const readsOf = new Map((reads as unknown as { id: string; count: string | number }[]).map((r) => [r.id, Number(r.count)]));
    const filesOf = byMessage(files as { id: string; messageId: string; filename: string; mime: string; size: string | number }[]);
    return rows.map((r) => ({
      id: r.id,
      roomId: r.roomId,
      seq: Number(r.seq),
      type: r.type,
      text: r.deletedAt ? '' : r.text,
      replyToId: r.replyToId,
      createdAt: iso(r.createdAt),
      editedAt: iso(r.editedAt),
      deletedAt: iso(r.deletedAt),
      reactions: (reactionsOf.get(r.id) ?? []).map((x) => ({ emoji: x.emoji, count: Number(x.count) })),
      readBy: readsOf.get(r.id) ?? 0,
      attachments: (filesOf.get(r.id) ?? []).map((f) => ({ id: f.id, filename: f.filename, mime: f.mime, size: Number(f.size) })),
    }));
  }

  private async ownReactions(userId: string) {
    const rows = (await this.db('reactions').where({ userId }).orderBy('created_at').select('message_id', 'emoji', 'created_at')) as {
      messageId: string;
      emoji: string;
      createdAt: Date;
    }[];
    return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) }));
  }

  private async uploads(userId: string) {
    const rows = (await this.db('attachments')
      .where({ uploaderId: userId })
      .orderBy('created_at')
      .select('id', 'message_id', 'filename', 'mime', 'size', 'created_at')) as {
      id: string;
      messageId: string | null;
      filename: string;
      mime: string;
      size: string | number;
      createdAt: Date;
    }[];
    // Downloads need a sign-in (or a signed link from POST /v1/uploads/links), as every file does.
    return rows.map((r) => ({ ...r, size: Number(r.size), createdAt: iso(r.createdAt), download: `/v1/uploads/${r.id}` }));
  }
}
