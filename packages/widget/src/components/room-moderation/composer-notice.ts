import { html, nothing } from 'lit';

import type { RoomModeration } from './room-moderation.js';

/**
 * Milliseconds the composer still waits under slow mode: from your newest message (by the server's
 * clock, never more than the full wait from now) or a refusal's `retryAfterMs`. Moderators never wait.
 */
export function slowWait(mod: RoomModeration): number {
  const { room, messages } = mod.ctx.state();
  const seconds = room?.slowModeSeconds ?? 0;
  const now = Date.now();
  const refused = Math.max(0, mod.refusedUntil - now);
  if (!seconds || mod.moderator) return refused;
  const me = mod.ctx.me();
  let last: string | null = null;
  for (let i = messages.length - 1; i >= 0 && !last; i--) {
    const m = messages[i]!;
    if (m.senderId === me && m.seq > 0 && m.type !== 'system') last = m.createdAt;
  }
  const fromLast = last ? Math.min(seconds * 1000, Date.parse(last) + seconds * 1000 - now) : 0;
  return Math.max(refused, fromLast, 0);
}

/** Instead of the composer: you were removed or banned, or you are muted (until a time shown in your language). */
export function renderNotice(mod: RoomModeration) {
  const { t } = mod;
  const { room, removed } = mod.ctx.state();
  if (removed) {
    return html`<div class="mod-notice removed" part="moderation-notice" role="status">
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path d="M15 3h3a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-3M10 17l-5-5 5-5M5 12h11" />
      </svg>
      <p class="mod-notice-text"><strong>${t(removed === 'banned' ? 'modBannedNotice' : 'modKickedNotice')}</strong></p>
    </div>`;
  }
  const until = room?.membership?.mutedUntil;
  if (!until || Date.parse(until) <= Date.now()) return null;
  return html`<div class="mod-notice muted" part="moderation-notice" role="status">
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path d="M11 5 6 9H3v6h3l5 4V5zM22 9l-6 6M16 9l6 6" />
    </svg>
    <p class="mod-notice-text">
      <strong>${t('modMutedTitle')}</strong>
      <span>${t('modMutedNotice', { time: mod.when(until) })}</span>
    </p>
  </div>`;
}

/** Above the composer in slow mode: the rule, or the seconds left before the next send. */
export function renderHint(mod: RoomModeration): { hint: unknown; waiting: boolean } {
  const seconds = mod.ctx.state().room?.slowModeSeconds ?? 0;
  const wait = slowWait(mod);
  if (!wait && (!seconds || mod.moderator)) return { hint: nothing, waiting: false };
  const text = wait ? mod.t('modSlowWait', { seconds: Math.ceil(wait / 1000) }) : mod.t('modSlowMode', { seconds });
  return {
    hint: html`<div class="mod-slow ${wait ? 'waiting' : ''}" part="slow-mode">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <circle cx="8" cy="8" r="6.5" />
        <path d="M8 4.5V8l2.5 1.5" />
      </svg>
      <span>${text}</span>
    </div>`,
    waiting: wait > 0,
  };
}
