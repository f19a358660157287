import type { ChatMessage, SupportNoteDto } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { timeline } from './timeline.js';
import { withNotes } from './timeline-notes.js';

const at = (minute: number, day = 2) => new Date(2026, 2, day, 10, minute).toISOString();

function msg(id: string, minute: number, day = 2, senderId = 'ana'): ChatMessage {
  return {
    id,
    roomId: 'r1',
    seq: minute,
    version: 1,
    clientId: null,
    senderId,
    sender: null,
    type: 'text',
    text: id,
    replyToId: null,
    attachments: [],
    reactions: [],
    createdAt: at(minute, day),
    editedAt: null,
    deletedAt: null,
    status: 'sent',
  } as ChatMessage;
}

function note(id: string, minute: number, day = 2): SupportNoteDto {
  return { id, conversationId: 'r1', author: null, text: id, mentions: [], clientId: id, createdAt: at(minute, day), deletedAt: null };
}

const keys = (rows: ReturnType<typeof withNotes>) =>
  rows.map((r) => (r.kind === 'message' ? r.message.id : r.kind === 'note' ? r.note.id : 'day'));

describe('withNotes', () => {
  it('returns the rows unchanged without notes', () => {
    const rows = timeline([msg('a', 1)]);
    expect(withNotes(rows, [], null)).toBe(rows);
  });

  it('places notes between messages by time, and after the last one', () => {
    const rows = withNotes(timeline([msg('a', 1), msg('b', 3), msg('c', 5)]), [note('n2', 4), note('n1', 2), note('n3', 9)], null);
    expect(keys(rows)).toEqual(['day', 'a', 'n1', 'b', 'n2', 'c', 'n3']);
  });

  it('ends a group at a note, so the next message starts a new one', () => {
    const rows = withNotes(timeline([msg('a', 1), msg('b', 2), msg('c', 3)]), [note('n', 2.5)], null);
    const byId = Object.fromEntries(rows.flatMap((r) => (r.kind === 'message' ? [[r.message.id, r]] : [])));
    expect(byId.a).toMatchObject({ groupStart: true, groupEnd: false });
    expect(byId.b).toMatchObject({ groupStart: false, groupEnd: true });
    expect(byId.c).toMatchObject({ groupStart: true });
  });

  it("puts a note of an earlier day above the next day's separator", () => {
    const rows = withNotes(timeline([msg('a', 1, 2), msg('b', 1, 3)]), [note('n', 30, 2)], null);
    expect(keys(rows)).toEqual(['day', 'a', 'n', 'day', 'b']);
  });

  it('keeps notes older than the first loaded message back while older messages are not loaded', () => {
    const rows = withNotes(timeline([msg('b', 5), msg('c', 7)]), [note('old', 1), note('new', 6)], at(5));
    expect(keys(rows)).toEqual(['day', 'b', 'new', 'c']);
  });
});
