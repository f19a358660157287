import type { StringPart } from '../index.js';
import { en, type ModerationStrings } from './en.js';
import { es } from './es.js';
import { ptBR } from './pt-BR.js';

/** Registered by components/room-moderation/room-moderation.ts, loaded only in group and public rooms. */
export const MODERATION_STRINGS: StringPart<ModerationStrings> = { en, 'pt-BR': ptBR, es };
