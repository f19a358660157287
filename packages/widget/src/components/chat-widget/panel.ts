import type { RateConversationInput } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { VisibleViewport } from '../../controllers/viewport-controller.js';
import type { I18n } from '../../i18n/index.js';
import { fullName } from '../../lib/avatar.js';
import { styleProps } from '../../lib/style-props.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import { renderPanelHeader } from './panel-header.js';
import { type PrechatRules, renderPrechat } from './prechat.js';
import { renderSessionEnded } from './session-ended.js';
import type { VisitorSession } from './visitor-session.js';
import { canGoBack, type VisitorState } from './visitor-state.js';

/** The element's attributes the panel reads (empty strings: the defaults). */
export interface PanelAttributes extends PrechatRules {
  title: string;
  subtitle: string;
  greeting: string;
  /** `inline`: a region of the page without a close button, not a dialog. */
  mode: 'launcher' | 'inline';
  /** Signed in with it: after the session ended the visitor is signed in again, not started over. */
  userToken: string;
}

export interface PanelOptions {
  /** `left` for `position="bottom-left"`. */
  left: string;
  /** The visible viewport while open on a phone: the panel fits above the on-screen keyboard. */
  viewport: VisibleViewport | null;
  /** Null until the chat has loaded. */
  session: VisitorSession | null;
  /** The chat was online once: a connection down now is a reconnect, said in a banner. */
  everOnline: boolean;
  prechatError: string;
  onKey: (e: KeyboardEvent) => void;
  onClose: () => void;
  /** Back from a conversation to the list. */
  onBack: () => void;
  onPrechat: (e: Event) => void;
  onRetry: () => void;
  /** After the session ended. */
  onContinue: () => void;
  onOpen: (id: string) => void;
  onNew: () => void;
}

/**
 * The open chat (`part="panel"`): the header, a banner while reconnecting or when the conversation
 * was resolved, and below them what the visitor's state calls for.
 */
export function renderPanel(i18n: I18n, state: VisitorState, element: PanelAttributes, options: PanelOptions) {
  const { t } = i18n;
  const { title } = element;
  const inline = element.mode === 'inline';
  const { viewport } = options;
  const reconnecting = Boolean(state.user && options.everOnline && (state.connection === 'offline' || state.connection === 'connecting'));
  const thread = state.phase === 'ready' && state.view === 'thread';
  const back = thread && canGoBack(state);
  const { session } = options;
  // Mail about a conversation needs one: the support conversation shown, once started.
  const room = thread && session?.supportMode ? state.room : null;
  const header = {
    title,
    subtitle: element.subtitle,
    settings: state.settings,
    inline,
    reconnecting,
    onClose: options.onClose,
    onBack: back ? options.onBack : null,
    menu: room ? session!.mail.menu(i18n, room.id) : nothing,
  };
  const current = state.room && state.conversations.find((c) => c.id === state.room!.id);
  const resolved = thread && current?.status === 'resolved';
  const body = renderBody(i18n, state, element, options);
  const fit = viewport ? { '--chat-viewport-height': `${viewport.height}px`, '--chat-viewport-top': `${viewport.top}px` } : {};
  return html`<section
    id="panel"
    class=${`panel ${inline ? 'inline' : options.left}`}
    part="panel"
    role=${inline ? 'region' : 'dialog'}
    aria-label=${title || t('defaultTitle')}
    @keydown=${options.onKey}
    ${styleProps(fit)}
  >
    ${renderPanelHeader(i18n, header)} ${reconnecting ? html`<div class="banner" role="status">${t('offline')}</div>` : nothing}
    ${resolved ? html`<div class="banner note">${t('conversationResolvedNote')}</div>` : nothing} ${body}
  </section>`;
}

/** Below the header: the pre-chat form, an error, the ended notice, the list or a conversation, or loading. */
function renderBody(i18n: I18n, state: VisitorState, element: PanelAttributes, options: PanelOptions) {
  const { t } = i18n;
  const { session } = options;
  switch (state.phase) {
    case 'prechat':
      return renderPrechat(i18n, element, options.prechatError, options.onPrechat);
    case 'error':
      return html`<div class="status" role="alert">
        <p class="error">${t('errorGeneric', { message: state.error?.message ?? '' })}</p>
        <button class="primary" @click=${options.onRetry}>${t('retry')}</button>
      </div>`;
    case 'ended':
      return renderSessionEnded(i18n, state.ended, Boolean(element.userToken), options.onContinue);
    case 'ready': {
      if (!session) break;
      if (session.supportMode && state.view === 'list') {
        return html`<confab-conversation-list
          exportparts="conversations, conversation, new-conversation"
          .i18n=${i18n}
          .conversations=${state.conversations}
          .agents=${state.settings?.agents ?? []}
          .me=${state.user?.id ?? null}
          .visitorName=${fullName(state.user)}
          .team=${element.title}
          .onOpen=${options.onOpen}
          .onNew=${options.onNew}
        ></confab-conversation-list>`;
      }
      // Active: the thread is shown only while the panel is open. A resolved conversation asks for a rating.
      const rateable = session.supportMode && state.room && state.conversations.find((c) => c.id === state.room!.id)?.status === 'resolved';
      return html`<confab-thread
        exportparts="messages, message, composer, input, send-button, pinned, moderation-notice, slow-mode"
        .i18n=${i18n}
        .room=${state.room}
        .me=${state.user?.id ?? null}
        ?staff=${state.user?.role === 'admin' || state.user?.role === 'agent'}
        .greeting=${element.greeting || state.settings?.greeting || null}
        .names=${names(state)}
        .send=${(input: ComposerSubmit) => session.send(input)}
        .upload=${(file: File, progress: (f: number) => void) => session.upload(file, progress)}
        .uploads=${session.client.uploads}
        ?active=${true}
        ><slot name="empty" slot="empty">${t('noMessages')}</slot>${
          session.supportMode && state.room ? session.mail.card(i18n, state.room.id) : nothing
        }${
          rateable
            ? html`<confab-rating
                slot="above-composer"
                .i18n=${i18n}
                .conversationId=${state.room!.id}
                .load=${(id: string) => session.conversations.rating(id)}
                .rate=${(id: string, input: RateConversationInput) => session.conversations.rate(id, input)}
              ></confab-rating>`
            : nothing
        }</confab-thread
      >`;
    }
  }
  return html`<div class="status" role="status">${t('loading')}</div>`;
}

/** Who the thread names: the team's agents, and the visitor by their full name. */
function names(state: VisitorState): Record<string, string> {
  const names = Object.fromEntries((state.settings?.agents ?? []).map((a) => [a.id, a.name ?? '']));
  const me = fullName(state.user);
  if (state.user && me) names[state.user.id] = me;
  return names;
}
