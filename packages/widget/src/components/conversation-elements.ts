// The message view and composer, shared by the widget and the inbox: loaded with them, on demand.
import { define } from '../lib/define.js';
import { ChatComposer } from './chat-composer/chat-composer.js';
import { ChatThread } from './chat-thread/chat-thread.js';

define('confab-composer', ChatComposer);
define('confab-thread', ChatThread);

declare global {
  interface HTMLElementTagNameMap {
    'confab-composer': ChatComposer;
    'confab-thread': ChatThread;
  }
}
