// The message view and composer, shared by the widget and the inbox: loaded with them, on demand,
// with the strings of a conversation (also those of the visitor's list and rating card).
import { CONVERSATION_STRINGS } from '../i18n/conversation/index.js';
import { registerStrings } from '../i18n/index.js';
import { define } from '../lib/define.js';
import { ChatComposer } from './chat-composer/chat-composer.js';
import { ChatThread } from './chat-thread/chat-thread.js';

registerStrings(CONVERSATION_STRINGS);
define('confab-composer', ChatComposer);
define('confab-thread', ChatThread);

declare global {
  interface HTMLElementTagNameMap {
    'confab-composer': ChatComposer;
    'confab-thread': ChatThread;
  }
}
