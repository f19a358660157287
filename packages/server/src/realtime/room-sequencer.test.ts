import { afterEach, describe, expect, it } from 'vitest';

import { createLogger } from '../logger.js';
import { type RecoverChanges, type RoomEvent, RoomSequencer } from './room-sequencer.js';

const ev = (version: number, roomId = 'r1'): RoomEvent => ({ roomId, version, event: 'message:created', payload: version, channels: [] });

describe('RoomSequencer', () => {
  let sequencer: RoomSequencer;
  afterEach(() => sequencer?.close());

  it('holds events until their predecessors went out, per room', () => {
    const out: string[] = [];
    sequencer = new RoomSequencer((e) => out.push(`${e.roomId}:${e.version}`), 10_000);
    sequencer.prime('r1', 4);
    sequencer.push(ev(6));
    sequencer.push(ev(7));
    sequencer.push(ev(1, 'r2'));
    expect(out).toEqual(['r2:1']);
    sequencer.push(ev(5));
    expect(out).toEqual(['r2:1', 'r1:5', 'r1:6', 'r1:7']);
  });

  it('skips a gap that does not close in time, and still delivers the straggler', async () => {
    const out: number[] = [];
    sequencer = new RoomSequencer((e) => out.push(e.version), 50);
    sequencer.prime('r1', 0);
    sequencer.push(ev(2));
    sequencer.push(ev(3));
    expect(out).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(out).toEqual([2, 3]);
    sequencer.push(ev(1));
    sequencer.push(ev(4));
    expect(out).toEqual([2, 3, 1, 4]);
  });

  it('delivers what it holds when closed', () => {
    const out: number[] = [];
    sequencer = new RoomSequencer((e) => out.push(e.version), 10_000);
    sequencer.prime('r1', 0);
    sequencer.push(ev(3));
    sequencer.push(ev(2));
    sequencer.close();
    expect(out).toEqual([2, 3]);
  });
});

describe('RoomSequencer recovery', () => {
  let sequencer: RoomSequencer;
  afterEach(() => sequencer?.close());
  const logger = createLogger('silent');
  const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A recovery answering from `stored` (version → event), recording each range it is asked for. */
  const fromStore =
    (stored: number[], calls: [number, number][] = [], through?: (to: number) => number): RecoverChanges =>
    async (roomId, from, to) => {
      calls.push([from, to]);
      const upTo = through ? through(to) : to;
      return {
        events: stored.filter((v) => v >= from && v <= upTo).map((v) => ({ ...ev(v, roomId), payload: `read ${v}` })),
        through: upTo,
      };
    };

  it('reads a missing version from the store and delivers it in its place', async () => {
    const out: unknown[] = [];
    const calls: [number, number][] = [];
    sequencer = new RoomSequencer((e) => out.push(e.payload), 20, { recover: fromStore([2], calls), logger });
    sequencer.prime('r1', 1);
    sequencer.push(ev(3));
    sequencer.push(ev(4));
    await tick(60);
    expect(out).toEqual(['read 2', 3, 4]);
    expect(calls).toEqual([[2, 4]]);
  });

  it('skips versions no row carries any more (changed again later), and the gap when the read fails', async () => {
    const out: unknown[] = [];
    const calls: [number, number][] = [];
    let fail = false;
    sequencer = new RoomSequencer((e) => out.push(e.payload), 20, {
      recover: async (roomId, from, to) => {
        if (fail) throw new Error('database down');
        return fromStore([], calls)(roomId, from, to);
      },
      logger,
    });
    sequencer.prime('r1', 0);
    sequencer.push(ev(2));
    await tick(60);
    expect(out).toEqual([2]);
    fail = true;
    sequencer.push(ev(5));
    await tick(60);
    expect(out).toEqual([2, 5]);
    sequencer.push(ev(4));
    expect(out).toEqual([2, 5, 4]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('reads one range per room at a time, and the rest after it', async () => {
    const out: number[] = [];
    const calls: [number, number][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sequencer = new RoomSequencer((e) => out.push(e.version), 10, {
      recover: async (roomId, from, to) => {
        calls.push([from, to]);
        if (calls.length === 1) await gate;
        return { events: [], through: to };
      },
      logger,
    });
    sequencer.prime('r1', 0);
    sequencer.push(ev(2));
    await tick(40);
    sequencer.push(ev(4));
    await tick(40);
    expect(calls).toEqual([[1, 2]]);
    release();
    await tick(60);
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(out).toEqual([2, 4]);
  });

  it('goes on in pages when one read does not carry the whole range', async () => {
    const out: unknown[] = [];
    const calls: [number, number][] = [];
    sequencer = new RoomSequencer((e) => out.push(e.payload), 10, {
      recover: fromStore([1, 2, 3], calls, (to) => Math.min(to, calls.length * 2)),
      logger,
    });
    sequencer.prime('r1', 0);
    sequencer.push(ev(4));
    await tick(80);
    expect(out).toEqual(['read 1', 'read 2', 'read 3', 4]);
    expect(calls).toEqual([
      [1, 4],
      [3, 4],
    ]);
  });

  it('syncs to an announced version with nothing held, only for rooms it orders', async () => {
    const out: unknown[] = [];
    const calls: [number, number][] = [];
    sequencer = new RoomSequencer((e) => out.push(e.payload), 10_000, { recover: fromStore([1, 2], calls), logger });
    sequencer.prime('r1', 0);
    await sequencer.sync('r1', 2);
    expect(out).toEqual(['read 1', 'read 2']);
    await sequencer.sync('r1', 2);
    await sequencer.sync('r2', 7);
    expect(calls).toEqual([[1, 2]]);
  });

  it('delivers a replay at once and starts no order from its old version', async () => {
    const out: number[] = [];
    const calls: [number, number][] = [];
    sequencer = new RoomSequencer((e) => out.push(e.version), 20, { recover: fromStore([], calls), logger });
    // A retried send of a message stored long ago: the room has moved on since.
    sequencer.push({ ...ev(5), replay: true });
    sequencer.push(ev(11));
    sequencer.push(ev(12));
    // No wait for versions 6..10, no read of them: the live events start the order.
    expect(out).toEqual([5, 11, 12]);
    await tick(60);
    expect(calls).toEqual([]);
  });
});
