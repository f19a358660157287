import type { ChatClient, Store, TranscriptQueuedDto } from '@confab/sdk';
import { createStore } from '@confab/sdk';
import { html } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { asChatError } from '../../lib/chat-error.js';
import type { VisitStorage } from '../../lib/storage.js';

/** What the visitor did with a conversation's "Get replies by email" card. */
export type EmailCardChoice = 'saved' | 'dismissed';

/** The visitor's own email as the server knows it (`known` false until asked). */
export interface VisitorEmail {
  known: boolean;
  email: string | null;
}

/**
 * The visitor's email for mail about their conversations: the transcript they ask for, the address
 * agents' replies go to while they are away, and what they chose on each conversation's card. The
 * email is asked from the server (`GET /v1/me`) once: the stored session's user may predate it.
 */
export class VisitorMail {
  readonly state: Store<VisitorEmail> = createStore<VisitorEmail>({ known: false, email: null });
  private asking: Promise<void> | null = null;
  private askedFor: string | null = null;

  constructor(
    private readonly client: ChatClient,
    private readonly storage: VisitStorage,
  ) {}

  /** The open conversation's menu, for the panel's header (made here, in the chat's chunk, not in widget.js). */
  menu(i18n: I18n, conversationId: string) {
    return html`<confab-conversation-menu
      exportparts="menu-button, menu"
      .i18n=${i18n}
      .mail=${this}
      .conversationId=${conversationId}
    ></confab-conversation-menu>`;
  }

  /** The "Get replies by email" card, for the thread (it decides itself whether it shows). */
  card(i18n: I18n, conversationId: string) {
    return html`<confab-email-card
      slot="after-first-message"
      exportparts="email-card"
      .i18n=${i18n}
      .mail=${this}
      .conversationId=${conversationId}
    ></confab-email-card>`;
  }

  /** Asks the server for the visitor's email, once per signed-in user. */
  load(): Promise<void> {
    const id = this.client.user?.id ?? null;
    if (!id) return Promise.resolve();
    if (this.askedFor !== id) {
      this.askedFor = id;
      this.asking = this.client.users.me().then(
        (me) => this.state.set({ known: true, email: me.email ?? null }),
        // Unknown stays unknown: the card and the menu then ask for an address, which works either way.
        () => this.state.set({ known: true, email: this.client.user?.email ?? null }),
      );
    }
    return this.asking!;
  }

  /** Another visitor (or none) from now on: their email is asked anew. */
  forget(): void {
    this.askedFor = null;
    this.asking = null;
    this.state.set({ known: false, email: null });
  }

  /** Queues the conversation's transcript: to the email the server knows, or to `email`. */
  transcript(conversationId: string, email?: string): Promise<TranscriptQueuedDto> {
    return this.client.support.transcript(conversationId, email);
  }

  /** Gives the visitor's email: agents' replies they have not read reach them there. */
  async saveEmail(email: string): Promise<void> {
    const me = await this.client.users.update({ email });
    this.state.set({ known: true, email: me.email ?? email });
  }

  choice(conversationId: string): EmailCardChoice | null {
    return this.storage.read()?.emailCards?.[conversationId] ?? null;
  }

  choose(conversationId: string, choice: EmailCardChoice): void {
    const cards = this.storage.read()?.emailCards ?? {};
    this.storage.write({ emailCards: { ...cards, [conversationId]: choice } });
  }
}

/** Loosely: something@somewhere.tld (the server checks it properly). */
export const looksLikeEmail = (text: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);

/** A failed mail request in the visitor's words: too many, a bad address, or the server's message. */
export function mailErrorText(i18n: I18n, err: unknown): string {
  const { t } = i18n;
  const error = asChatError(err);
  if (error.code === 'rate_limited') return t('mailRateLimited');
  if (error.code === 'validation_failed') return t('invalidEmail');
  return t('errorGeneric', { message: error.message });
}
