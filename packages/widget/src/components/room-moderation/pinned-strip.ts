import type { ChatMessage, PinDto } from '@confab/sdk';
import { html, nothing } from 'lit';

import { excerpt, senderName } from '../chat-thread/message-text.js';
import type { RoomModeration } from './room-moderation.js';

const PIN_ICON = html`<svg class="mod-pin-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
  <path d="M9.8 1.6 14.4 6.2l-1.3.6-2.6 2.6.3 3.2-1.4 1.4-2.5-2.5-3.7 3.7-.7-.7 3.7-3.7L3.7 8.3l1.4-1.4 3.2.3L10.9 4.6z" />
</svg>`;

/**
 * At the top of the thread when the room has pins: the newest one (a tap goes to it), and with
 * more than one, the list of all of them to go to any.
 */
export function renderPinnedStrip(mod: RoomModeration, pins: readonly PinDto[]) {
  const { t } = mod;
  const newest = pins[0]!;
  const line = (pin: PinDto) => {
    const m: ChatMessage = { ...pin.message, status: 'sent' };
    return { name: senderName(mod.ctx.naming(), m), text: excerpt(mod.ctx.naming(), m, 90) };
  };
  const go = (pin: PinDto) => {
    mod.pinsOpen = false;
    mod.ctx.host.requestUpdate();
    void mod.ctx.reveal(pin.message.id);
  };
  const toggle = () => {
    mod.pinsOpen = !mod.pinsOpen;
    mod.ctx.host.requestUpdate();
    if (mod.pinsOpen)
      void mod.ctx.host.updateComplete.then(() => mod.ctx.host.renderRoot.querySelector<HTMLElement>('.mod-pin-list button')?.focus());
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !mod.pinsOpen) return;
    e.stopPropagation();
    toggle();
    mod.ctx.host.renderRoot.querySelector<HTMLElement>('.mod-pin-all')?.focus();
  };
  const first = line(newest);
  return html`<div class="mod-pins" part="pinned" @keydown=${onKey}>
    <div class="mod-pin-bar">
      <button type="button" class="mod-pin-main" @click=${() => go(newest)}>
        ${PIN_ICON}
        <span class="mod-pin-body">
          <span class="mod-pin-label">${t('modPinned')} · ${first.name}</span>
          <span class="mod-pin-text">${first.text}</span>
        </span>
      </button>
      ${
        pins.length > 1
          ? html`<button type="button" class="mod-pin-all" aria-expanded=${mod.pinsOpen ? 'true' : 'false'} @click=${toggle}>
              ${t('modPinsAll', { count: pins.length })}
            </button>`
          : nothing
      }
    </div>
    ${
      mod.pinsOpen
        ? html`<div class="mod-pin-list" role="group" aria-label=${t('modPinsTitle')}>
            <ul>
              ${pins.map((pin) => {
                const { name, text } = line(pin);
                return html`<li>
                  <button type="button" @click=${() => go(pin)}>
                    <span class="mod-pin-label">${name}</span><span class="mod-pin-text">${text}</span>
                  </button>
                </li>`;
              })}
            </ul>
          </div>`
        : nothing
    }
  </div>`;
}
