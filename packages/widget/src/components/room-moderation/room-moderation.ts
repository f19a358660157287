// Moderation in group and public rooms, loaded by the thread only for them (chat-thread/thread-moderation.ts).
import type { ChatError, ChatMessage, ReportReason } from '@confab/sdk';
import { html, nothing, type ReactiveController } from 'lit';

import type { Strings } from '../../i18n/index.js';
import { registerStrings } from '../../i18n/index.js';
import { MODERATION_STRINGS } from '../../i18n/moderation/index.js';
import { asChatError } from '../../lib/chat-error.js';
import { senderName } from '../chat-thread/message-text.js';
import type { ThreadModeration, ThreadModerationContext } from '../chat-thread/thread-moderation.js';
import { renderHint, renderNotice, slowWait } from './composer-notice.js';
import { type ModerationStep, renderMenuItems, renderPanel } from './moderation-menu.js';
import { renderPinnedStrip } from './pinned-strip.js';
import { moderationStyles } from './room-moderation.styles.js';

registerStrings(MODERATION_STRINGS);

const HOUR = 3600;
/** How long "Ana is muted until 15:32" stays on screen after an action. */
const TOAST_MS = 4000;

/** What a moderator's confirmed action does, by step. */
type Action = Exclude<ModerationStep, 'report' | 'thanks' | 'failed'>;

/**
 * The moderation UI of one thread: the report form (everyone), moderators' actions on a message
 * (remove, pin, mute, remove from the room, ban) with a confirmation for each destructive one, the
 * pinned strip, and the notices that replace the composer while muted or after a removal, with
 * slow mode's wait. Errors are said in words inside the panel.
 */
export class RoomModeration implements ThreadModeration, ReactiveController {
  step: ModerationStep = 'report';
  /** The reason picked in the report form (Send waits for one). */
  reason: ReportReason | null = null;
  busy = false;
  error = '';
  /** The pinned strip's list of every pin is open. */
  pinsOpen = false;
  /** What was just done, said in a toast and to screen readers. */
  toast = '';
  /** Slow mode refused a send: wait until then (ms). */
  refusedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Refusals of sends already read (each failed message carries its own). */
  private readonly seen = new WeakSet<ChatError>();
  private toastTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly ctx: ThreadModerationContext) {
    ctx.host.addController(this);
    const root = ctx.host.renderRoot;
    // The thread's own styles stay; these join them in its shadow root.
    if (root instanceof ShadowRoot && moderationStyles.styleSheet && !root.adoptedStyleSheets.includes(moderationStyles.styleSheet)) {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, moderationStyles.styleSheet];
    }
  }

  hostUpdated(): void {
    this.noticeRefusal();
    this.schedule();
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    clearTimeout(this.toastTimer);
  }

  get t(): (key: keyof Strings, vars?: Record<string, string | number>) => string {
    return this.ctx.i18n().t;
  }

  /** Owners and moderators of the room, and the app's staff. */
  get moderator(): boolean {
    const role = this.ctx.state().room?.membership?.role;
    return role === 'owner' || role === 'moderator' || this.ctx.staff();
  }

  menu(m: ChatMessage, mine: boolean): unknown {
    if (this.ctx.state().removed) return nothing;
    return renderMenuItems(this, m, mine);
  }

  panel(m: ChatMessage): unknown {
    return renderPanel(this, m);
  }

  top(): unknown {
    const { pins } = this.ctx.state();
    return html`${pins.length ? renderPinnedStrip(this, pins) : nothing}
      <div class="mod-toast ${this.toast ? 'on' : ''}" role="status" aria-live="polite">${this.toast}</div>`;
  }

  notice(): unknown {
    return renderNotice(this);
  }

  hint(): { hint: unknown; waiting: boolean } {
    return renderHint(this);
  }

  /** Opens a step of the panel under `m`: the report form, or the confirmation of an action. */
  open(m: ChatMessage, step: ModerationStep): void {
    this.step = step;
    this.error = '';
    this.busy = false;
    this.reason = null;
    this.ctx.actions.openModeration(m.id, step === 'report' ? '.mod-panel input' : '.mod-panel .cancel');
  }

  close(): void {
    this.ctx.actions.close();
  }

  /** A change in the report form: the reason picked. */
  pick(e: Event): void {
    const input = e.target as HTMLInputElement;
    if (input.name !== 'reason') return;
    this.reason = input.value as ReportReason;
    this.ctx.host.requestUpdate();
  }

  /** Sends the report form under `m`. */
  async report(m: ChatMessage, form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const reason = (data.get('reason') as ReportReason | null) ?? this.reason;
    const comment = String(data.get('comment') ?? '').trim();
    if (!reason) return;
    const done = await this.run(() => this.ctx.room()!.moderation.report(m.id, { reason, comment: comment || undefined }));
    if (!done) return;
    this.step = 'thanks';
    this.ctx.actions.openModeration(m.id, '.mod-panel .primary');
  }

  /** Pins and unpins at once (nothing is lost); every other action was confirmed first. */
  async act(m: ChatMessage, action: Action | 'pin' | 'unpin'): Promise<void> {
    const room = this.ctx.room();
    const userId = m.senderId;
    if (!room) return;
    const name = senderName(this.ctx.naming(), m);
    const { t } = this;
    const steps: Record<Action | 'pin' | 'unpin', () => Promise<string>> = {
      pin: async () => (await room.moderation.pin(m.id), t('modPinnedDone')),
      unpin: async () => (await room.moderation.unpin(m.id), t('modUnpinnedDone')),
      remove: async () => (await room.delete(m.id), t('modRemovedDone')),
      muteHour: () => this.mute(userId!, HOUR, name),
      muteDay: () => this.mute(userId!, 24 * HOUR, name),
      kick: async () => (await room.moderation.kick(userId!), t('modKickedDone', { name })),
      ban: async () => (await room.moderation.ban(userId!), t('modBannedDone', { name })),
    };
    const said = await this.run(steps[action]);
    if (said === null) {
      // A confirmation shows its error in place; a pin had no panel: one opens to say it.
      if (action === 'pin' || action === 'unpin') {
        this.step = 'failed';
        this.ctx.actions.openModeration(m.id, '.mod-panel .primary');
      }
      return;
    }
    this.close();
    this.say(said);
  }

  /** A send just refused by slow mode (sent from another device, or a clock ahead): the composer waits as the server says. */
  private noticeRefusal(): void {
    const error = this.ctx.state().messages.at(-1)?.error;
    if (!error || this.seen.has(error)) return;
    this.seen.add(error);
    const after = (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    if (error.code === 'rate_limited' && typeof after === 'number') this.refusedUntil = Date.now() + after;
  }

  private async mute(userId: string, seconds: number, name: string): Promise<string> {
    const member = await this.ctx.room()!.moderation.mute(userId, { durationSeconds: seconds });
    const until = member.mutedUntil ?? new Date(Date.now() + seconds * 1000).toISOString();
    return this.t('modMutedDone', { name, time: this.when(until) });
  }

  /** The end of a mute: its time today, else its date and time. */
  when(iso: string): string {
    const i18n = this.ctx.i18n();
    return new Date(iso).toDateString() === new Date().toDateString() ? i18n.time(iso) : i18n.dateTime(iso);
  }

  /** Runs a call with the panel busy; resolves with its result, or null after saying why it failed. */
  private async run<T>(call: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = '';
    this.ctx.host.requestUpdate();
    try {
      return await call();
    } catch (err) {
      this.error = this.explain(asChatError(err));
      return null;
    } finally {
      this.busy = false;
      this.ctx.host.requestUpdate();
    }
  }

  private explain(error: ChatError): string {
    const { t } = this;
    switch (error.code) {
      case 'forbidden':
        return t('modErrorForbidden');
      case 'rate_limited':
        return t('modErrorRateLimited');
      case 'conflict':
        return t('modErrorPinLimit');
      case 'unavailable':
        return t('modErrorOffline');
      default:
        return t('modErrorGeneric', { message: error.message });
    }
  }

  private say(text: string): void {
    this.toast = text;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      this.toast = '';
      this.ctx.host.requestUpdate();
    }, TOAST_MS);
    this.ctx.host.requestUpdate();
  }

  /** Wakes the thread when the mute ends, and every second of a slow-mode wait. */
  private schedule(): void {
    clearTimeout(this.timer);
    const until = this.ctx.state().room?.membership?.mutedUntil;
    const muteLeft = until ? Date.parse(until) - Date.now() : 0;
    const wait = slowWait(this);
    const next = wait > 0 ? Math.min(1000, wait) : muteLeft > 0 ? Math.min(muteLeft + 50, 2 ** 31 - 1) : 0;
    if (!next) return;
    this.timer = setTimeout(() => {
      this.ctx.host.requestUpdate();
      // The box was disabled under the writer's hands: give it back, unless they went elsewhere.
      if (wait > 0 && wait <= 1000 && (!document.activeElement || document.activeElement === document.body)) this.ctx.focusComposer();
    }, next);
  }
}
