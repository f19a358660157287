import type { SupportNoteDto } from '@confab/sdk';

import type { TimelineRow } from './timeline.js';

/** A private note in the timeline (only the inbox has notes; a visitor's thread never gets one). */
export interface NoteRow {
  kind: 'note';
  key: string;
  note: SupportNoteDto;
}

/**
 * Places notes among the timeline's rows by time (a note written before a message shows above it,
 * and above that message's day separator when it is of an earlier day). `from`: the time of the
 * first message loaded while older ones are not; earlier notes wait until those load. A note
 * between two messages of one group ends the group, so the next message names its sender again.
 */
export function withNotes(rows: TimelineRow[], notes: readonly SupportNoteDto[], from: string | null): (TimelineRow | NoteRow)[] {
  if (!notes.length) return rows;
  const pending = [...notes].filter((n) => !from || n.createdAt >= from).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const out: (TimelineRow | NoteRow)[] = [];
  const flushBefore = (at: string | null) => {
    let placed = false;
    while (pending.length && (at === null || pending[0]!.createdAt < at)) {
      const note = pending.shift()!;
      out.push({ kind: 'note', key: `note:${note.id}`, note });
      placed = true;
    }
    if (!placed) return;
    const previous = out.findLast((r) => r.kind === 'message');
    if (previous?.kind === 'message') previous.groupEnd = true;
  };
  for (const row of rows) {
    const at = row.kind === 'day' ? row.at : row.kind === 'message' ? row.message.createdAt : null;
    const before = out.length;
    flushBefore(at);
    if (row.kind === 'message' && out.length > before) row.groupStart = true;
    out.push(row);
  }
  flushBefore(null);
  return out;
}
