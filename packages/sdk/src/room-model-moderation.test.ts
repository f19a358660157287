import type { MembershipDto, MessageDto, ModerationEntryDto, RoomDto, UserSummaryDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { initialRoomModel, reduceRoom, type RoomModel, viewRoom } from './room-model.js';

const ROOM = 'room-1';
const ME = 'me';
const BOB = 'bob';
const bob: UserSummaryDto = { id: BOB, kind: 'member', role: 'user', name: 'Bob', lastName: 'B', username: 'bob', avatarUrl: '/a.png' };

const message = (seq: number, senderId = BOB): MessageDto => ({
  id: `m${seq}`,
  roomId: ROOM,
  seq,
  version: seq,
  clientId: `c${seq}`,
  senderId,
  sender: senderId === BOB ? bob : null,
  type: 'text',
  text: `message ${seq}`,
  replyToId: null,
  attachments: [],
  reactions: [],
  createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
  editedAt: null,
  deletedAt: null,
});

const membership: MembershipDto = {
  roomId: ROOM,
  userId: ME,
  role: 'member',
  joinedAt: '2025-01-01T00:00:00.000Z',
  deliveredSeq: 0,
  readSeq: 0,
  muted: false,
  mutedUntil: null,
};

function entry(action: ModerationEntryDto['action'], patch: Partial<ModerationEntryDto> = {}): ModerationEntryDto {
  return {
    id: 'e1',
    roomId: ROOM,
    action,
    actorId: 'mod',
    actor: null,
    targetUserId: ME,
    target: null,
    messageId: null,
    reason: null,
    details: {},
    createdAt: '2025-01-01T00:05:00.000Z',
    ...patch,
  };
}

function model(): RoomModel {
  const room = { id: ROOM, kind: 'public', lastSeq: 3, memberCount: 3, slowModeSeconds: 0, membership } as RoomDto;
  const joined = reduceRoom(
    initialRoomModel,
    {
      type: 'joined',
      result: {
        room,
        messages: [message(1), message(2, ME), message(3)],
        hasMore: false,
        presence: [],
        version: 3,
        receipts: { roomId: ROOM, deliveredSeq: 0, readSeq: 0 },
      },
      catchUp: false,
    },
    ME,
  );
  return reduceRoom(joined, { type: 'watching', watching: true }, ME);
}

describe('moderation in the room model', () => {
  it('keeps your own mute, and not anyone else’s, from room:moderation', () => {
    const until = '2025-01-01T01:05:00.000Z';
    const muted = reduceRoom(model(), { type: 'moderation', entry: entry('member.muted', { details: { until } }) }, ME);
    expect(muted.room?.membership?.mutedUntil).toBe(until);
    const other = reduceRoom(model(), { type: 'moderation', entry: entry('member.muted', { targetUserId: BOB, details: { until } }) }, ME);
    expect(other.room?.membership?.mutedUntil).toBeNull();
    const unmuted = reduceRoom(muted, { type: 'moderation', entry: entry('member.unmuted') }, ME);
    expect(unmuted.room?.membership?.mutedUntil).toBeNull();
    expect(reduceRoom(model(), { type: 'muted', until }, ME).room?.membership?.mutedUntil).toBe(until);
  });

  it('follows slow mode and your role, and marks you removed when kicked or banned', () => {
    const slow = reduceRoom(
      model(),
      { type: 'moderation', entry: entry('room.slow_mode', { targetUserId: null, details: { seconds: 30 } }) },
      ME,
    );
    expect(slow.room?.slowModeSeconds).toBe(30);
    const promoted = reduceRoom(model(), { type: 'moderation', entry: entry('member.role', { details: { role: 'moderator' } }) }, ME);
    expect(promoted.room?.membership?.role).toBe('moderator');
    expect(reduceRoom(model(), { type: 'moderation', entry: entry('member.kicked', { targetUserId: BOB }) }, ME).removed).toBeNull();
    const banned = reduceRoom(model(), { type: 'moderation', entry: entry('member.banned') }, ME);
    expect(banned.removed).toBe('banned');
    expect(banned.room?.membership).toBeNull();
    expect(reduceRoom(model(), { type: 'moderation', entry: entry('member.kicked') }, ME).removed).toBe('kicked');
  });

  it('turns an erased sender’s messages into tombstones without text or profile', () => {
    const next = reduceRoom(model(), { type: 'erased', userId: BOB }, ME);
    const list = viewRoom(next, ME, ROOM).messages;
    const bobs = list.filter((m) => m.senderId === BOB);
    expect(bobs).toHaveLength(2);
    for (const m of bobs) {
      expect(m.text).toBe('');
      expect(m.deletedAt).not.toBeNull();
      expect(m.sender?.name ?? null).toBeNull();
      expect(m.sender?.avatarUrl ?? null).toBeNull();
    }
    expect(list.find((m) => m.senderId === ME)?.text).toBe('message 2');
  });

  it('leaves blocked senders out of the list, and shows them again once unblocked', () => {
    const start = model();
    const blocked = reduceRoom(start, { type: 'blocked', userIds: new Set([BOB]) }, ME);
    const view = viewRoom(blocked, ME, ROOM, { model: start, view: viewRoom(start, ME, ROOM) });
    expect(view.messages.map((m) => m.id)).toEqual(['m2']);
    // Live messages from them stay out too.
    const live = reduceRoom(blocked, { type: 'messages', messages: [message(4)] }, ME);
    expect(viewRoom(live, ME, ROOM).messages.map((m) => m.id)).toEqual(['m2']);
    const unblocked = reduceRoom(live, { type: 'blocked', userIds: new Set() }, ME);
    expect(viewRoom(unblocked, ME, ROOM).messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});
