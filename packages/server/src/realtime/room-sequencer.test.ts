import { afterEach, describe, expect, it } from 'vitest';
import { type RoomEvent, RoomSequencer } from './room-sequencer.js';

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
