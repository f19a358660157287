import type { ChatMessage, Room, RoomState } from '@confab/sdk';
import type { ReactiveControllerHost } from 'lit';

import type { I18n } from '../../i18n/index.js';
import type { MessageActions } from './message-actions.js';
import type { NameSource } from './message-text.js';

/**
 * What the thread draws from a room's moderation UI (components/room-moderation/), which loads
 * only for group and public rooms: support and direct conversations never download it.
 */
export interface ThreadModeration {
  /** Items added to a message's menu (report; moderators' actions). */
  menu(m: ChatMessage, mine: boolean): unknown;
  /** The moderation panel open under the message (`actions.panel === 'moderation'`). */
  panel(m: ChatMessage): unknown;
  /** Above the messages: the pinned strip, and what was just done (a live region). */
  top(): unknown;
  /** Instead of the composer (muted, removed), else null. */
  notice(): unknown;
  /** Above the composer (slow mode), and whether it must wait before the next send. */
  hint(): { hint: unknown; waiting: boolean };
}

/** What the moderation UI needs from its thread. */
export interface ThreadModerationContext {
  host: ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };
  room(): Room | null;
  state(): RoomState;
  me(): string | null;
  /** The user is one of the app's admins or agents (who moderate every room of the app). */
  staff(): boolean;
  i18n(): I18n;
  naming(): NameSource;
  actions: MessageActions;
  /** Scrolls to a message, loading older pages as needed. */
  reveal(id: string): Promise<boolean>;
  focusComposer(): void;
}

/** Loads the moderation UI the first time a group or public room is shown; null until then and in other rooms. */
export class ModerationLoader {
  private loaded: ThreadModeration | null = null;
  private loading = false;

  constructor(private readonly ctx: ThreadModerationContext) {}

  get current(): ThreadModeration | null {
    const kind = this.ctx.state().room?.kind;
    if (kind !== 'group' && kind !== 'public') return null;
    if (!this.loaded && !this.loading) {
      this.loading = true;
      import('../room-moderation/room-moderation.js').then(
        ({ RoomModeration }) => {
          this.loaded = new RoomModeration(this.ctx);
          this.ctx.host.requestUpdate();
        },
        () => {
          this.loading = false; // offline: the next render asks again
        },
      );
    }
    return this.loaded;
  }
}
