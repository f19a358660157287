import type { MessageDto, RoomJoinResult } from '@confab/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ChatError } from './errors.js';
import type { RoomContext } from './room-context.js';
import { initialRoomModel, reduceRoom, type RoomModel } from './room-model.js';
import { HOLE_WAIT_MS, RoomSync } from './room-sync.js';

const ROOM = 'r1';
const message = (seq: number): MessageDto => ({ id: `m${seq}`, roomId: ROOM, seq, version: seq, senderId: 'bob' }) as MessageDto;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

/** A room over a scripted server: `join` answers room:join, `after` answers GET ?after=. */
function harness(server: { join: (since?: number) => Promise<RoomJoinResult>; after: (after: number) => MessageDto[] }) {
  let model: RoomModel = reduceRoom(initialRoomModel, { type: 'watching', watching: true }, 'me');
  const joins: (number | undefined)[] = [];
  const fills: number[] = [];
  const ctx = {
    socket: {
      connected: true,
      request: async (event: string, payload: { since?: number }) => {
        if (event !== 'room:join') return {};
        joins.push(payload.since);
        return server.join(payload.since);
      },
    },
    http: {
      call: async (_key: string, options: { query: { after: number } }) => {
        fills.push(options.query.after);
        const items = server.after(options.query.after);
        return { items, hasMore: false };
      },
    },
  } as unknown as RoomContext;
  const sync = new RoomSync({ id: ROOM, model: () => model, apply: (a) => (model = reduceRoom(model, a, 'me')) }, ctx);
  return { sync, joins, fills, model: () => model, apply: (a: Parameters<typeof reduceRoom>[1]) => (model = reduceRoom(model, a, 'me')) };
}

const answer = (messages: MessageDto[], lastSeq: number, hasMore = false): RoomJoinResult => ({
  room: { id: ROOM, lastSeq, memberCount: 2 } as RoomJoinResult['room'],
  messages,
  hasMore,
  presence: [],
  version: lastSeq,
  receipts: { roomId: ROOM, deliveredSeq: 0, readSeq: 0 },
});

describe('RoomSync', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries a join that failed for a passing reason instead of leaving the room silently unjoined', async () => {
    let failures = 2;
    const h = harness({
      join: async () => {
        if (failures-- > 0) throw new ChatError('unavailable', 'database outage', 503);
        return answer(range(1, 3), 3);
      },
      after: () => [],
    });
    const joined = h.sync.join();
    await vi.advanceTimersByTimeAsync(20_000);
    await joined;
    expect(h.joins).toHaveLength(3);
    expect(h.model().through).toBe(3);
  });

  it('gives up on a lasting refusal', async () => {
    const h = harness({ join: async () => Promise.reject(new ChatError('forbidden', 'not a member', 403)), after: () => [] });
    await expect(h.sync.join()).rejects.toMatchObject({ code: 'forbidden' });
    expect(h.joins).toHaveLength(1);
  });

  it('rejoins from the end of the contiguous history and pages the rest from where each page stopped', async () => {
    const h = harness({
      join: async (since) => (since === undefined ? answer(range(1, 10), 10) : answer(range(11, 20), 60, true)),
      after: (after) => range(after + 1, Math.min(after + 25, 60)),
    });
    await h.sync.join();
    h.apply({ type: 'messages', messages: [message(58)] }); // heard live: a hole opens below it
    await h.sync.join();
    expect(h.joins).toEqual([undefined, 10]);
    expect(h.fills).toEqual([20, 45]);
    expect(h.model().through).toBe(60);
  });

  it('fetches a hole in live messages after a short wait, from the end held', async () => {
    const h = harness({ join: async () => answer(range(1, 5), 5), after: (after) => range(after + 1, 8) });
    await h.sync.join();
    h.apply({ type: 'messages', messages: [message(8)] });
    h.sync.received(true);
    await vi.advanceTimersByTimeAsync(HOLE_WAIT_MS - 10);
    expect(h.fills).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(h.fills).toEqual([5]);
    expect(h.model().through).toBe(8);
  });
});
