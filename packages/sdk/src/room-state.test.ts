import type { MessageDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';
import { ChatError } from './errors.js';
import { listMessages, mergeMessages, type Receipt, type Unsent } from './room-state.js';

const ROOM = 'room-1';
const ME = 'me';
const BOB = 'bob';
const EVE = 'eve';

function message(seq: number, patch: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m${seq}`,
    roomId: ROOM,
    seq,
    version: 1,
    clientId: `c${seq}`,
    senderId: BOB,
    sender: null,
    text: `message ${seq}`,
    replyToId: null,
    attachments: [],
    reactions: [],
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...patch,
  };
}

function unsent(clientId: string, patch: Partial<Unsent> = {}): Unsent {
  return {
    clientId,
    text: `draft ${clientId}`,
    attachments: [],
    createdAt: '2025-01-01T00:01:00.000Z',
    failed: null,
    retry: () => Promise.reject(new Error('not in this test')),
    ...patch,
  };
}

const byId = (...messages: MessageDto[]) => new Map(messages.map((m) => [m.id, m]));

describe('mergeMessages', () => {
  it('adds messages it has not seen and reports a change', () => {
    const stored = new Map<string, MessageDto>();
    expect(mergeMessages(stored, [message(1), message(2)])).toBe(true);
    expect([...stored.keys()]).toEqual(['m1', 'm2']);
  });

  it('replaces a message with a copy of higher version', () => {
    const stored = byId(message(1));
    const edited = message(1, { version: 2, text: 'edited', editedAt: '2025-01-02T00:00:00.000Z' });
    expect(mergeMessages(stored, [edited])).toBe(true);
    expect(stored.get('m1')).toBe(edited);
  });

  it('keeps the higher version when an older copy arrives later, and reports no change', () => {
    const deleted = message(1, { version: 3, text: '', deletedAt: '2025-01-02T00:00:00.000Z' });
    const stored = byId(deleted);
    expect(mergeMessages(stored, [message(1, { version: 2, text: 'stale edit' })])).toBe(false);
    expect(stored.get('m1')).toBe(deleted);
  });

  it('keeps the higher version when both copies come in one batch, whatever their order', () => {
    const stored = new Map<string, MessageDto>();
    mergeMessages(stored, [message(1, { version: 4, text: 'newest' }), message(1, { version: 2, text: 'older' })]);
    expect(stored.get('m1')?.text).toBe('newest');
  });

  it('never holds the same message twice, however often it arrives', () => {
    const stored = new Map<string, MessageDto>();
    mergeMessages(stored, [message(1), message(2)]);
    mergeMessages(stored, [message(2), message(3)]);
    mergeMessages(stored, [message(1), message(2), message(3)]);
    expect(stored.size).toBe(3);
    expect(listMessages(stored, new Map(), ME, {}, ROOM).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('listMessages', () => {
  it('orders stored messages by seq, whatever order they arrived in', () => {
    const stored = byId(message(3), message(1), message(10), message(2));
    expect(listMessages(stored, new Map(), ME, {}, ROOM).map((m) => m.seq)).toEqual([1, 2, 3, 10]);
  });

  it('lists unsent messages after the stored ones, in the order they were written', () => {
    const stored = byId(message(2), message(1));
    const waiting = new Map([
      ['b', unsent('b')],
      ['a', unsent('a')],
    ]);
    const list = listMessages(stored, waiting, ME, {}, ROOM);
    expect(list.map((m) => m.id)).toEqual(['m1', 'm2', 'local:b', 'local:a']);
  });

  it('shows an unsent message as pending, from me, with seq 0 and a local id', () => {
    const waiting = new Map([['c1', unsent('c1', { text: 'Olá!', replyTo: 'm1' })]]);
    const [pending] = listMessages(new Map(), waiting, ME, {}, ROOM);
    expect(pending).toMatchObject({
      id: 'local:c1',
      roomId: ROOM,
      seq: 0,
      clientId: 'c1',
      senderId: ME,
      text: 'Olá!',
      replyToId: 'm1',
      status: 'pending',
    });
    expect(pending.error).toBeUndefined();
    expect(pending.retry).toBeUndefined();
  });

  it('shows a refused message as failed, with its error and a retry()', () => {
    const error = new ChatError('validation_failed', 'Too long', 422);
    const retry = () => Promise.resolve(message(5, { senderId: ME }));
    const waiting = new Map([['c1', unsent('c1', { failed: error, retry })]]);
    const [failed] = listMessages(new Map(), waiting, ME, {}, ROOM);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(error);
    expect(failed.retry).toBe(retry);
  });

  it("shows others' messages as sent, whatever the receipts say", () => {
    const stored = byId(message(1, { senderId: BOB }));
    const receipts: Record<string, Receipt> = { [ME]: { deliveredSeq: 1, readSeq: 1 }, [EVE]: { deliveredSeq: 1, readSeq: 1 } };
    expect(listMessages(stored, new Map(), ME, receipts, ROOM)[0].status).toBe('sent');
  });

  it('shows my message as sent until every other member got it', () => {
    const stored = byId(message(4, { senderId: ME }));
    const receipts: Record<string, Receipt> = {
      [ME]: { deliveredSeq: 4, readSeq: 4 },
      [BOB]: { deliveredSeq: 4, readSeq: 0 },
      [EVE]: { deliveredSeq: 3, readSeq: 3 },
    };
    expect(listMessages(stored, new Map(), ME, receipts, ROOM)[0].status).toBe('sent');
  });

  it('shows my message as delivered once every other member got it', () => {
    const stored = byId(message(4, { senderId: ME }));
    const receipts: Record<string, Receipt> = {
      [ME]: { deliveredSeq: 4, readSeq: 4 },
      [BOB]: { deliveredSeq: 4, readSeq: 4 },
      [EVE]: { deliveredSeq: 9, readSeq: 3 },
    };
    expect(listMessages(stored, new Map(), ME, receipts, ROOM)[0].status).toBe('delivered');
  });

  it('shows my message as read once every other member read it', () => {
    const stored = byId(message(4, { senderId: ME }));
    const receipts: Record<string, Receipt> = {
      [ME]: { deliveredSeq: 0, readSeq: 0 },
      [BOB]: { deliveredSeq: 4, readSeq: 4 },
      [EVE]: { deliveredSeq: 7, readSeq: 7 },
    };
    expect(listMessages(stored, new Map(), ME, receipts, ROOM)[0].status).toBe('read');
  });

  it('gives each of my messages its own status from the same receipts', () => {
    const stored = byId(message(1, { senderId: ME }), message(2, { senderId: ME }), message(3, { senderId: ME }));
    const receipts: Record<string, Receipt> = { [BOB]: { deliveredSeq: 2, readSeq: 1 } };
    expect(listMessages(stored, new Map(), ME, receipts, ROOM).map((m) => m.status)).toEqual(['read', 'delivered', 'sent']);
  });

  it('shows my message as sent when there are no receipts of other members', () => {
    const stored = byId(message(1, { senderId: ME }));
    expect(listMessages(stored, new Map(), ME, { [ME]: { deliveredSeq: 1, readSeq: 1 } }, ROOM)[0].status).toBe('sent');
  });

  it('never lists my message twice when its stored copy arrives before the send is acknowledged', () => {
    // A reconnect's catch-up (room:join with since) can bring the stored message while the
    // outbox still waits for the ack of the retried send with the same clientId.
    const stored = byId(message(1), message(2, { senderId: ME, clientId: 'c-mine', text: 'Olá!' }));
    const waiting = new Map([['c-mine', unsent('c-mine', { text: 'Olá!' })]]);
    const list = listMessages(stored, waiting, ME, {}, ROOM);
    expect(list.filter((m) => m.clientId === 'c-mine')).toHaveLength(1);
    expect(list.map((m) => m.id)).toEqual(['m1', 'm2']);
  });
});
