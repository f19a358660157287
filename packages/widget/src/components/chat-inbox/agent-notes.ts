import type { ChatClient, Store, SupportConversationDto, SupportMentionEvent, SupportNoteDto } from '@confab/sdk';

import type { AgentState } from './agent-state.js';

// A conversation's notes are few; more pages than this are left for another day (and the list says so by its end).
const PAGE = 100;
const PAGES_MAX = 5;

/** The notes with `note` added, replaced or (deleted) taken out, oldest first. */
export function upsertNote(notes: readonly SupportNoteDto[], note: SupportNoteDto): SupportNoteDto[] {
  const rest = notes.filter((n) => n.id !== note.id && n.clientId !== note.clientId);
  if (note.deletedAt) return rest;
  return [...rest, note].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * The private notes of the selected conversation, in the agent's store: loaded when it is opened
 * (and again after a reconnect, which may have missed `support:note`), kept live, written and
 * deleted; and the notice of a note that `@mentions` the agent.
 */
export class AgentNotes {
  constructor(
    private readonly client: ChatClient,
    private readonly state: Store<AgentState>,
    private readonly mentioned: (event: SupportMentionEvent) => void,
  ) {}

  /** The client's events this part of the inbox follows; returns their unsubscribes. */
  listen(): (() => void)[] {
    return [
      this.client.on('support:note', (note) => {
        if (this.state.get().selected?.id === note.conversationId) this.patch((s) => ({ notes: upsertNote(s.notes, note) }));
      }),
      this.client.on('support:mention', (event) => {
        const { me, selected } = this.state.get();
        if (event.note.author?.id === me?.id) return;
        // Already open, the note shows in the thread: no notice to open it with.
        if (selected?.id !== event.conversation.id) this.patch(() => ({ mention: event }));
        // One tab of the browser chimes for all.
        if (this.client.primaryTab) this.mentioned(event);
      }),
    ];
  }

  /** Loads the notes of the conversation (the selected one): oldest first, a few pages at most. */
  async load(c: SupportConversationDto): Promise<void> {
    let notes: SupportNoteDto[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < PAGES_MAX; page += 1) {
      const got = await this.client.support.notes.list(c.id, { limit: PAGE, cursor });
      notes = [...notes, ...got.items];
      cursor = got.nextCursor;
      if (!got.hasMore || !cursor) break;
    }
    if (this.state.get().selected?.id !== c.id) return;
    // Notes that arrived live while the pages loaded are kept.
    this.patch((s) => ({ notes: s.notes.reduce(upsertNote, notes) }));
  }

  /** Writes a note on the selected conversation. */
  async add(text: string): Promise<void> {
    const c = this.state.get().selected;
    if (!c) return;
    const note = await this.client.support.notes.add(c.id, text);
    if (this.state.get().selected?.id === c.id) this.patch((s) => ({ notes: upsertNote(s.notes, note) }));
  }

  async remove(noteId: string): Promise<void> {
    await this.client.support.notes.remove(noteId);
    this.patch((s) => ({ notes: s.notes.filter((n) => n.id !== noteId) }));
  }

  setComposing(composing: AgentState['composing']): void {
    this.patch(() => ({ composing }));
  }

  /** Signed out: nothing of the last agent's notes stays. */
  reset(): void {
    this.patch(() => ({ notes: [], mention: null }));
  }

  dismissMention(): void {
    this.patch(() => ({ mention: null }));
  }

  private patch(change: (s: AgentState) => Partial<AgentState>): void {
    this.state.set((s) => ({ ...s, ...change(s) }));
  }
}
