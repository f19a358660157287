import type { ChatMessage } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { CONVERSATION_STRINGS } from '../../i18n/conversation/index.js';
import { i18n, registerStrings } from '../../i18n/index.js';
import { systemText } from './message-text.js';

registerStrings(CONVERSATION_STRINGS);

const ANA = 'a0000000-0000-4000-8000-000000000001';
const BOB = 'b0000000-0000-4000-8000-000000000002';

function system(meta: ChatMessage['system'], text = ''): ChatMessage {
  return { id: 'm1', roomId: 'r1', seq: 1, version: 1, senderId: meta?.actorId ?? null, type: 'system', system: meta, text } as ChatMessage;
}

describe('systemText', () => {
  const src = (lang: 'en' | 'pt-BR' | 'es') => ({ i18n: i18n(lang), names: { [ANA]: 'Ana', [BOB]: 'Bob' }, messages: [] });

  it('words an automatic assignment (no actor) apart from a claim or a hand-over', () => {
    expect(systemText(src('en'), system({ event: 'assigned', actorId: null, agentId: ANA }))).toBe('Assigned to Ana automatically');
    expect(systemText(src('pt-BR'), system({ event: 'assigned', actorId: null, agentId: ANA }))).toBe('Atribuída a Ana automaticamente');
    expect(systemText(src('en'), system({ event: 'assigned', actorId: ANA, agentId: ANA }))).toBe('Ana joined the conversation');
    expect(systemText(src('en'), system({ event: 'assigned', actorId: BOB, agentId: ANA }))).toBe('Bob assigned the conversation to Ana');
  });

  it('says a conversation went back to the queue because its agent was away', () => {
    expect(systemText(src('en'), system({ event: 'unassigned', actorId: null, agentId: ANA }))).toBe('Back in the queue: Ana was away');
    expect(systemText(src('es'), system({ event: 'unassigned', actorId: null, agentId: ANA }))).toBe(
      'De vuelta en la cola: Ana estaba ausente',
    );
    expect(systemText(src('en'), system({ event: 'unassigned', actorId: BOB }))).toBe('The conversation is waiting for an agent');
  });
});
