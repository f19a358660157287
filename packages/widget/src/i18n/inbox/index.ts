import type { StringPart } from '../index.js';
import { en, type InboxStrings } from './en.js';
import { es } from './es.js';
import { ptBR } from './pt-BR.js';

/** Registered by components/chat-inbox/inbox-app.ts before it defines the inbox. */
export const INBOX_STRINGS: StringPart<InboxStrings> = { en, 'pt-BR': ptBR, es };
