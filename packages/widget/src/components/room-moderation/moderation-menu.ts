import { LIMITS, REPORT_REASONS } from '@confab/protocol';
import type { ChatMessage } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { Strings } from '../../i18n/index.js';
import { senderName } from '../chat-thread/message-text.js';
import type { RoomModeration } from './room-moderation.js';

/** What the moderation panel under a message shows. */
export type ModerationStep = 'report' | 'thanks' | 'failed' | 'remove' | 'muteHour' | 'muteDay' | 'kick' | 'ban';
type Confirmed = Extract<ModerationStep, 'remove' | 'muteHour' | 'muteDay' | 'kick' | 'ban'>;

const REASON_LABEL: Record<(typeof REPORT_REASONS)[number], keyof Strings> = {
  spam: 'modReasonSpam',
  abuse: 'modReasonAbuse',
  other: 'modReasonOther',
};
const ACTION_LABEL: Record<Confirmed, keyof Strings> = {
  remove: 'modRemove',
  muteHour: 'modMuteHour',
  muteDay: 'modMuteDay',
  kick: 'modKick',
  ban: 'modBan',
};
const CONFIRM_TEXT: Record<Confirmed, keyof Strings> = {
  remove: 'modRemoveConfirm',
  muteHour: 'modMuteHourConfirm',
  muteDay: 'modMuteDayConfirm',
  kick: 'modKickConfirm',
  ban: 'modBanConfirm',
};

/**
 * The message menu's moderation rows: Report for others' messages; for moderators, Pin or Unpin
 * (any message), and for others' messages Remove, Mute 1 hour / 24 hours, Remove from room and Ban.
 */
export function renderMenuItems(mod: RoomModeration, m: ChatMessage, mine: boolean) {
  const { t } = mod;
  const pinned = mod.ctx.state().pins.some((p) => p.message.id === m.id);
  const person = !mine && m.senderId !== null;
  const report = person ? html`<button type="button" @click=${() => mod.open(m, 'report')}>${t('modReport')}</button>` : nothing;
  if (!mod.moderator) return person ? html`<div class="actions-row">${report}</div>` : nothing;
  const confirm = (step: Confirmed, danger = true) =>
    html`<button type="button" class=${danger ? 'danger' : ''} @click=${() => mod.open(m, step)}>${t(ACTION_LABEL[step])}</button>`;
  return html`<div class="actions-row">
      <button type="button" @click=${() => void mod.act(m, pinned ? 'unpin' : 'pin')}>${t(pinned ? 'modUnpin' : 'modPin')}</button>
      ${report}
    </div>
    ${
      person
        ? html`<div class="actions-row mod-row" role="group" aria-label=${t('modModerate')}>
            ${confirm('remove')} ${confirm('muteHour', false)} ${confirm('muteDay', false)} ${confirm('kick')} ${confirm('ban')}
          </div>`
        : nothing
    }`;
}

/** The panel under a message: the report form, its thanks, or the confirmation of an action. */
export function renderPanel(mod: RoomModeration, m: ChatMessage) {
  const { t } = mod;
  const error = mod.error ? html`<p class="mod-error" role="alert">${mod.error}</p>` : nothing;
  if (mod.step === 'thanks') {
    return html`<div class="mod-panel mod-thanks" role="status">
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <circle cx="12" cy="12" r="10" />
        <path d="m7.5 12.5 3 3 6-6.5" />
      </svg>
      <p>${t('modReportThanks')}</p>
      <div class="buttons"><button type="button" class="primary" @click=${() => mod.close()}>${t('modDone')}</button></div>
    </div>`;
  }
  if (mod.step === 'failed') {
    return html`<div class="mod-panel">
      ${error}
      <div class="buttons"><button type="button" class="primary" @click=${() => mod.close()}>${t('modDone')}</button></div>
    </div>`;
  }
  if (mod.step === 'report') return renderReport(mod, m, error);
  const step = mod.step;
  const name = senderName(mod.ctx.naming(), m);
  return html`<div class="mod-panel confirm" role="alertdialog" aria-label=${t(CONFIRM_TEXT[step], { name })}>
    <p class="mod-question" aria-hidden="true">${t(CONFIRM_TEXT[step], { name })}</p>
    ${error}
    <div class="buttons">
      <button type="button" class="cancel" @click=${() => mod.close()}>${t('cancel')}</button>
      <button type="button" class="danger" ?disabled=${mod.busy} @click=${() => void mod.act(m, step)}>
        ${mod.busy ? t('modWorking') : t(ACTION_LABEL[step])}
      </button>
    </div>
  </div>`;
}

function renderReport(mod: RoomModeration, m: ChatMessage, error: unknown) {
  const { t } = mod;
  const submit = (e: Event) => {
    e.preventDefault();
    void mod.report(m, e.currentTarget as HTMLFormElement);
  };
  return html`<form class="mod-panel mod-report" aria-label=${t('modReportTitle')} @submit=${submit} @change=${(e: Event) => mod.pick(e)}>
    <p class="mod-title">${t('modReportTitle')}</p>
    <fieldset>
      <legend>${t('modReportReason')}</legend>
      ${REPORT_REASONS.map(
        (reason) =>
          html`<label class="mod-reason"><input type="radio" name="reason" value=${reason} required /> ${t(REASON_LABEL[reason])}</label>`,
      )}
    </fieldset>
    <label class="mod-comment">
      <span>${t('modReportComment')}</span>
      <textarea name="comment" rows="2" maxlength=${LIMITS.reportCommentMax}></textarea>
    </label>
    ${error}
    <div class="buttons">
      <button type="button" class="cancel" @click=${() => mod.close()}>${t('cancel')}</button>
      <button type="submit" class="primary send" ?disabled=${mod.busy || !mod.reason}>
        ${mod.busy ? t('modWorking') : t('modReportSend')}
      </button>
    </div>
  </form>`;
}
