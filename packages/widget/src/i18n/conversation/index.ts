import type { StringPart } from '../index.js';
import { type ConversationStrings, en } from './en.js';
import { es } from './es.js';
import { ptBR } from './pt-BR.js';

/** Registered by components/conversation-elements.ts, which the widget's session and the inbox both load first. */
export const CONVERSATION_STRINGS: StringPart<ConversationStrings> = { en, 'pt-BR': ptBR, es };
