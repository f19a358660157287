import type { SupportNoteDto } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { upsertNote } from './agent-notes.js';

const note = (id: string, minute: number, extra: Partial<SupportNoteDto> = {}): SupportNoteDto => ({
  id,
  conversationId: 'c1',
  author: null,
  text: id,
  mentions: [],
  clientId: `client-${id}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
  deletedAt: null,
  ...extra,
});

describe('upsertNote', () => {
  it('adds a note in time order', () => {
    const notes = [note('a', 1), note('c', 3)];
    expect(upsertNote(notes, note('b', 2)).map((n) => n.id)).toEqual(['a', 'b', 'c']);
  });

  it('replaces a note held with the same id or clientId, once', () => {
    const notes = [note('a', 1), note('b', 2)];
    expect(upsertNote(notes, note('b', 2, { text: 'edited' })).map((n) => n.text)).toEqual(['a', 'edited']);
    expect(upsertNote(notes, note('b2', 2, { clientId: 'client-b' })).map((n) => n.id)).toEqual(['a', 'b2']);
  });

  it('takes a deleted note out', () => {
    const notes = [note('a', 1), note('b', 2)];
    expect(upsertNote(notes, note('a', 1, { deletedAt: new Date().toISOString(), text: '' })).map((n) => n.id)).toEqual(['b']);
  });
});
