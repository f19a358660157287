import type { MessageDto } from '@confab/sdk';

export interface ChatMessageEventDetail {
  message: MessageDto;
}
export interface ChatUnreadEventDetail {
  count: number;
}
export interface ChatErrorEventDetail {
  code: string;
  message: string;
}

/** Fires a `chat-*` event that bubbles out of shadow roots (listeners on `document` hear it). */
export function emit<T>(target: EventTarget, name: string, detail: T): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'chat-ready': CustomEvent<Record<string, never>>;
    'chat-open': CustomEvent<Record<string, never>>;
    'chat-close': CustomEvent<Record<string, never>>;
    'chat-message': CustomEvent<ChatMessageEventDetail>;
    'chat-unread': CustomEvent<ChatUnreadEventDetail>;
    'chat-error': CustomEvent<ChatErrorEventDetail>;
  }
}
