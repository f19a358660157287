// The one script a site loads: registers <chat-widget> and <chat-inbox>. Both stay small until
// used; the SDK and the message view load on demand from the same origin.
import { ChatInbox } from './components/chat-inbox/chat-inbox.js';
import { ChatWidget } from './components/chat-widget/chat-widget.js';
import { define } from './lib/define.js';

export { WIDGET_VERSION } from './version.js';

define('chat-widget', ChatWidget);
define('chat-inbox', ChatInbox);

export { ChatInbox, ChatWidget };
export { type Locale, resolveLocale } from './i18n/index.js';
export type { ChatErrorEventDetail, ChatMessageEventDetail, ChatUnreadEventDetail } from './lib/events.js';

declare global {
  interface HTMLElementTagNameMap {
    'chat-widget': ChatWidget;
    'chat-inbox': ChatInbox;
  }
}
