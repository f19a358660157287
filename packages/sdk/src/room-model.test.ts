import type { MessageDto, RoomDto, RoomJoinResult } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { ChatError } from './errors.js';
import { hasHole, initialRoomModel, reduceRoom, type RoomAction, type RoomModel, viewRoom } from './room-model.js';
import type { Unsent } from './room-state.js';

const ROOM = 'room-1';
const ME = 'me';
const BOB = 'bob';

function message(seq: number, patch: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m${seq}`,
    roomId: ROOM,
    seq,
    version: seq,
    clientId: `c${seq}`,
    senderId: BOB,
    sender: null,
    type: 'text',
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

const room = (lastSeq: number, memberCount = 2): RoomDto => ({ id: ROOM, lastSeq, memberCount }) as RoomDto;
const seqs = (...range: [number, number]) => Array.from({ length: range[1] - range[0] + 1 }, (_, i) => message(range[0] + i));

function joined(messages: MessageDto[], options: { hasMore?: boolean; lastSeq?: number; catchUp?: boolean } = {}): RoomAction {
  const lastSeq = options.lastSeq ?? messages.reduce((max, m) => Math.max(max, m.seq), 0);
  const result: RoomJoinResult = {
    room: room(lastSeq),
    messages,
    hasMore: options.hasMore ?? false,
    presence: [],
    version: lastSeq,
    receipts: { roomId: ROOM, deliveredSeq: 0, readSeq: 0 },
  };
  return { type: 'joined', result, catchUp: options.catchUp ?? false };
}

const run = (...actions: RoomAction[]): RoomModel => actions.reduce((model, action) => reduceRoom(model, action, ME), initialRoomModel);
const list = (model: RoomModel) => viewRoom(model, ME, ROOM).messages;

describe('merging messages', () => {
  it('keeps the newer copy of a message by version, whatever order the copies come in', () => {
    const model = run(joined(seqs(1, 2)), {
      type: 'messages',
      messages: [message(1, { version: 9, text: 'edited' }), message(1, { version: 5, text: 'older' })],
    });
    expect(model.messages.get('m1')?.text).toBe('edited');
    expect(reduceRoom(model, { type: 'messages', messages: [message(1, { version: 3 })] }, ME)).toBe(model);
  });

  it('never holds a message twice, however often it arrives', () => {
    const model = run(joined(seqs(1, 2)), { type: 'messages', messages: seqs(2, 3) }, { type: 'messages', messages: seqs(1, 3) });
    expect(list(model).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('ignores changes to messages older than the history loaded (they are not held)', () => {
    const model = run(joined(seqs(51, 100), { hasMore: true }), {
      type: 'messages',
      messages: [message(7, { version: 120, text: 'edited' })],
    });
    expect(model.messages.has('m7')).toBe(false);
    expect(model.floor).toBe(51);
    expect(hasHole(model)).toBe(false);
  });

  it('takes a send out of the unsent list when its stored copy arrives, and lists it once', () => {
    const model = run(
      joined(seqs(1, 1)),
      { type: 'unsent', unsent: unsent('c-mine') },
      { type: 'messages', messages: [message(2, { senderId: ME, clientId: 'c-mine' })] },
    );
    expect(model.unsent.size).toBe(0);
    expect(list(model).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(model.myReadSeq).toBe(2);
  });
});

describe('holes', () => {
  it('tracks the end of the contiguous history apart from the newest message', () => {
    const model = run(joined(seqs(1, 30)), { type: 'messages', messages: [message(31), message(35)] });
    expect(model.through).toBe(31);
    expect(model.lastSeq).toBe(35);
    expect(hasHole(model)).toBe(true);
    const filled = reduceRoom(model, { type: 'messages', messages: seqs(32, 34) }, ME);
    expect(filled.through).toBe(35);
    expect(hasHole(filled)).toBe(false);
  });

  it('catch-up with more to come leaves the end where the catch-up stopped, not at the newest live message', () => {
    // Away at 30; the join's catch-up brings 31..230 (hasMore) while 420..424 arrive live.
    const model = run(
      joined(seqs(1, 30)),
      { type: 'messages', messages: seqs(420, 424) },
      joined(seqs(31, 230), { catchUp: true, hasMore: true, lastSeq: 424 }),
    );
    expect(model.through).toBe(230);
    expect(hasHole(model)).toBe(true);
  });

  it('knows of a hole from the room alone (a message it never heard of)', () => {
    const model = run(joined(seqs(1, 3)), { type: 'sync', lastSeq: 5 });
    expect(hasHole(model)).toBe(true);
    expect(model.through).toBe(3);
  });

  it('steps over seqs the server says it does not have, so a fill cannot loop', () => {
    const model = run(joined(seqs(1, 3)), { type: 'messages', messages: [message(6)] }, { type: 'skipped', through: 5 });
    expect(model.through).toBe(6);
    expect(hasHole(model)).toBe(false);
  });

  it('older pages extend the history downwards, and the first page ends it', () => {
    const model = run(joined(seqs(51, 100), { hasMore: true }), { type: 'older', page: { items: seqs(1, 50), hasMore: false } });
    expect(model.floor).toBe(1);
    expect(model.hasOlder).toBe(false);
    expect(model.through).toBe(100);
  });
});

describe('receipts and ticks', () => {
  const mine = (seq: number) => message(seq, { senderId: ME });

  it('shows my messages sent, delivered and read from the watermarks every member reached', () => {
    const model = run(joined([mine(1), mine(2), mine(3)]), { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 2, readSeq: 1 } });
    expect(list(model).map((m) => m.status)).toEqual(['read', 'delivered', 'sent']);
  });

  it("shows others' messages as sent, and mine as sent in a room of one", () => {
    const others = run(joined([message(1)]), { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 1, readSeq: 1 } });
    expect(list(others)[0]?.status).toBe('sent');
    const alone = reduceRoom(run(joined([mine(1)])), { type: 'room', room: room(1, 1) }, ME);
    expect(list(reduceRoom(alone, { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 1, readSeq: 1 } }, ME))[0]?.status).toBe('sent');
  });

  it('merges per-member receipts of small rooms without going back', () => {
    const model = run(
      joined([]),
      { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 0, readSeq: 0, members: [{ userId: BOB, deliveredSeq: 4, readSeq: 2 }] } },
      { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 0, readSeq: 0, members: [{ userId: BOB, deliveredSeq: 3, readSeq: 3 }] } },
    );
    expect(model.receipts[BOB]).toEqual({ deliveredSeq: 4, readSeq: 3 });
  });

  it('reuses the message list when only receipts of members changed', () => {
    const before = run(joined([mine(1)]));
    const after = reduceRoom(
      before,
      { type: 'receipts', event: { roomId: ROOM, deliveredSeq: 0, readSeq: 0, members: [{ userId: BOB, deliveredSeq: 0, readSeq: 0 }] } },
      ME,
    );
    const firstView = viewRoom(before, ME, ROOM);
    expect(after.reachedByAll).not.toBe(before.reachedByAll); // a new event: ticks may change
    const sameTicks = { ...after, reachedByAll: before.reachedByAll };
    expect(viewRoom(sameTicks, ME, ROOM, { model: before, view: firstView }).messages).toBe(firstView.messages);
  });
});

describe('unsent messages', () => {
  it('lists unsent messages after the stored ones, pending or failed with their error', () => {
    const error = new ChatError('validation_failed', 'Too long', 422);
    const model = run(
      joined(seqs(1, 2)),
      { type: 'unsent', unsent: unsent('b') },
      { type: 'unsent', unsent: unsent('a', { failed: error }) },
    );
    const shown = list(model);
    expect(shown.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'sent'],
      ['m2', 'sent'],
      ['local:b', 'pending'],
      ['local:a', 'failed'],
    ]);
    expect(shown[3]?.error).toBe(error);
  });

  it('counts unread messages from the newest seq known and my read watermark', () => {
    const model = run(joined(seqs(1, 5)), { type: 'read', seq: 2 }, { type: 'sync', lastSeq: 7 });
    expect(viewRoom(model, ME, ROOM).unreadCount).toBe(5);
  });
});
