import type { UserSummaryDto } from './dto.js';
import type { SupportConversationDto } from './support.js';

/**
 * An agent's private note on a support conversation: the app's agents and admins see it, the
 * visitor never does (notes are not messages, so no message path carries them).
 */
export interface SupportNoteDto {
  id: string;
  conversationId: string;
  /** Null when the author's account was deleted. */
  author: UserSummaryDto | null;
  /** Empty once deleted: lists leave deleted notes out, only the `support:note` of a deletion carries one. */
  text: string;
  /** Ids of the app's agents and admins named as `@username` in the text (never the author). */
  mentions: string[];
  clientId: string;
  createdAt: string;
  deletedAt: string | null;
}

/** `POST /v1/support/conversations/:id/notes`: a retry with the same `clientId` returns the same note. */
export interface NoteInput {
  /** 1 to `LIMITS.messageTextMax` characters, trimmed; `@username` mentions a colleague. */
  text: string;
  clientId: string;
}

/** `support:mention`: a note named you; the conversation it is on, as agents see it. */
export interface SupportMentionEvent {
  note: SupportNoteDto;
  conversation: SupportConversationDto;
}
