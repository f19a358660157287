import type { ChatMessage } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { timeline, type TimelineRow } from './timeline.js';

let seq = 0;

/** A message at a local wall-clock time (month is 1-based). */
function msg(
  senderId: string | null,
  [y, mo, d, h, mi, s = 0]: [number, number, number, number, number, number?],
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  seq += 1;
  return {
    id: `m${seq}`,
    roomId: 'r1',
    seq,
    version: 1,
    clientId: null,
    senderId,
    sender: null,
    type: 'text',
    text: `message ${seq}`,
    replyToId: null,
    attachments: [],
    reactions: [],
    createdAt: new Date(y, mo - 1, d, h, mi, s).toISOString(),
    editedAt: null,
    deletedAt: null,
    status: 'sent',
    ...extra,
  };
}

const kinds = (rows: TimelineRow[]) => rows.map((r) => (r.kind === 'day' ? 'day' : r.message.id));
const messageRows = (rows: TimelineRow[]) => rows.filter((r): r is Extract<TimelineRow, { kind: 'message' }> => r.kind === 'message');
const flags = (rows: TimelineRow[]) => messageRows(rows).map((r) => [r.message.id, r.groupStart, r.groupEnd]);

describe('timeline', () => {
  it('returns nothing for no messages', () => {
    expect(timeline([])).toEqual([]);
  });

  it('starts with a day separator carrying the first message time', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const rows = timeline([a]);
    expect(rows[0]).toMatchObject({ kind: 'day', at: a.createdAt });
    expect(kinds(rows)).toEqual(['day', a.id]);
  });

  it('puts one separator per local day, before the first message of each day', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const b = msg('bob', [2024, 3, 10, 23, 59]);
    const c = msg('bob', [2024, 3, 11, 0, 1]);
    const d = msg('ana', [2024, 3, 14, 12, 0]);
    const rows = timeline([a, b, c, d]);
    expect(kinds(rows)).toEqual(['day', a.id, b.id, 'day', c.id, 'day', d.id]);
    expect(rows[3]).toMatchObject({ kind: 'day', at: c.createdAt });
    expect(rows[5]).toMatchObject({ kind: 'day', at: d.createdAt });
  });

  it('breaks a group at midnight even for the same sender a minute apart', () => {
    const a = msg('ana', [2024, 3, 10, 23, 59, 30]);
    const b = msg('ana', [2024, 3, 11, 0, 0, 30]);
    const rows = timeline([a, b]);
    expect(kinds(rows)).toEqual(['day', a.id, 'day', b.id]);
    expect(flags(rows)).toEqual([
      [a.id, true, true],
      [b.id, true, true],
    ]);
  });

  it('groups consecutive messages of one sender within five minutes: first starts, last ends', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const b = msg('ana', [2024, 3, 10, 9, 2]);
    const c = msg('ana', [2024, 3, 10, 9, 6, 59]); // 4m59s after b
    const rows = timeline([a, b, c]);
    expect(flags(rows)).toEqual([
      [a.id, true, false],
      [b.id, false, false],
      [c.id, false, true],
    ]);
  });

  it('starts a new group after more than five minutes from the previous message', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const b = msg('ana', [2024, 3, 10, 9, 5, 1]);
    expect(flags(timeline([a, b]))).toEqual([
      [a.id, true, true],
      [b.id, true, true],
    ]);
  });

  it('measures the gap from the previous message, so a long run of quick messages stays one group', () => {
    const run = [0, 4, 8, 12, 16].map((minute) => msg('ana', [2024, 3, 10, 9, minute]));
    const rows = timeline(run);
    expect(messageRows(rows).map((r) => r.groupStart)).toEqual([true, false, false, false, false]);
    expect(messageRows(rows).map((r) => r.groupEnd)).toEqual([false, false, false, false, true]);
  });

  it('starts a new group when the sender changes', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const b = msg('bob', [2024, 3, 10, 9, 1]);
    const c = msg('ana', [2024, 3, 10, 9, 2]);
    expect(flags(timeline([a, b, c]))).toEqual([
      [a.id, true, true],
      [b.id, true, true],
      [c.id, true, true],
    ]);
  });

  it('lets a system message stand alone and break the group of the sender around it', () => {
    const a = msg('ana', [2024, 3, 10, 9, 0]);
    const sys = msg('ana', [2024, 3, 10, 9, 1], { type: 'system' });
    const b = msg('ana', [2024, 3, 10, 9, 2]);
    expect(flags(timeline([a, sys, b]))).toEqual([
      [a.id, true, true],
      [sys.id, true, true],
      [b.id, true, true],
    ]);
  });

  it('never groups two consecutive system messages', () => {
    const s1 = msg(null, [2024, 3, 10, 9, 0], { type: 'system' });
    const s2 = msg(null, [2024, 3, 10, 9, 0, 10], { type: 'system' });
    expect(flags(timeline([s1, s2]))).toEqual([
      [s1.id, true, true],
      [s2.id, true, true],
    ]);
  });

  it('keys a message by its clientId when it has one, else by its id', () => {
    const withClient = msg('ana', [2024, 3, 10, 9, 0], { clientId: 'cid-1' });
    const withoutClient = msg('bob', [2024, 3, 10, 9, 1]);
    const rows = messageRows(timeline([withClient, withoutClient]));
    expect(rows.map((r) => r.key)).toEqual(['c:cid-1', withoutClient.id]);
  });

  it('keeps the key of a message when its pending copy is replaced by the stored one (same clientId)', () => {
    const pending = msg('ana', [2024, 3, 10, 9, 0], { id: 'local:cid-7', clientId: 'cid-7', seq: 0, status: 'pending' });
    const stored = { ...pending, id: 'real-id-7', seq: 42, status: 'sent' as const };
    const before = messageRows(timeline([pending]))[0]?.key;
    const after = messageRows(timeline([stored]))[0]?.key;
    expect(after).toBe(before);
  });

  it('gives day separators keys that are stable across renders and unique across days', () => {
    const messages = [msg('ana', [2024, 3, 10, 9, 0]), msg('ana', [2024, 3, 11, 9, 0]), msg('ana', [2025, 3, 10, 9, 0])];
    const first = timeline(messages)
      .filter((r) => r.kind === 'day')
      .map((r) => r.key);
    const second = timeline(messages.slice())
      .filter((r) => r.kind === 'day')
      .map((r) => r.key);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(3);
  });

  it('gives every row of a mixed history a distinct key', () => {
    const messages = [
      msg('ana', [2024, 3, 10, 9, 0], { clientId: 'x1' }),
      msg('bob', [2024, 3, 10, 9, 1]),
      msg(null, [2024, 3, 11, 9, 0], { type: 'system' }),
      msg('ana', [2024, 3, 11, 9, 1], { clientId: 'x2' }),
    ];
    const keys = timeline(messages).map((r) => r.key);
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(keys.length);
  });

  describe('in a time zone away from UTC (America/Sao_Paulo, UTC-3)', () => {
    const previousTz = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = 'America/Sao_Paulo';
    });
    afterAll(() => {
      if (previousTz === undefined) delete process.env.TZ;
      else process.env.TZ = previousTz;
    });

    it('separates by local days, not UTC days', () => {
      // Guard: the zone switch took effect in this process.
      expect(new Date('2024-03-10T12:00:00Z').getTimezoneOffset()).toBe(180);
      const evening = { ...msg('ana', [2024, 3, 10, 9, 0]), createdAt: '2024-03-10T23:00:00.000Z' }; // 20:00 local, 10 Mar
      const lateEvening = { ...msg('ana', [2024, 3, 10, 9, 0]), createdAt: '2024-03-11T02:30:00.000Z' }; // 23:30 local, 10 Mar
      const morning = { ...msg('ana', [2024, 3, 10, 9, 0]), createdAt: '2024-03-11T03:30:00.000Z' }; // 00:30 local, 11 Mar
      expect(kinds(timeline([evening, lateEvening, morning]))).toEqual(['day', evening.id, lateEvening.id, 'day', morning.id]);
    });
  });
});
