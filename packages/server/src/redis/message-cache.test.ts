import type { MessageDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { decodeCachedMessage } from './message-cache.js';

const sender = { id: 'u1', kind: 'member', role: 'agent', name: 'Alice', username: null, avatarUrl: null };
const row = (fields: Partial<MessageDto> & Record<string, unknown>) => JSON.stringify({ id: 'm1', seq: 1, text: 'hi', ...fields });

describe('decodeCachedMessage', () => {
  it('reads a sender cached without a last name as having none', () => {
    expect(decodeCachedMessage(row({ sender: sender as MessageDto['sender'] })).sender).toEqual({ ...sender, lastName: null });
  });

  it('keeps the last name of a sender cached with one, and a message without a sender', () => {
    const withLastName = row({ sender: { ...sender, lastName: 'Liddell' } as MessageDto['sender'] });
    expect(decodeCachedMessage(withLastName).sender?.lastName).toBe('Liddell');
    expect(decodeCachedMessage(row({ sender: null })).sender).toBeNull();
  });
});
