import type { MessageDto, ModerationEntryDto } from '@confab/protocol';

import type { RoomModel } from './room-model.js';

/**
 * What a moderation action (`room:moderation`) changes in the room held: your own mute, role or
 * removal, and the room's slow mode. Others' mutes and bans change nothing you hold.
 */
export function moderated(model: RoomModel, entry: ModerationEntryDto, me: string | null): RoomModel {
  const { room } = model;
  if (!room) return model;
  const mine = me !== null && entry.targetUserId === me;
  const membership = room.membership;
  switch (entry.action) {
    case 'room.slow_mode':
      return { ...model, room: { ...room, slowModeSeconds: entry.details.seconds ?? 0 } };
    case 'member.muted':
    case 'member.unmuted':
      return mine ? mutedUntil(model, entry.action === 'member.muted' ? (entry.details.until ?? null) : null) : model;
    case 'member.role':
      if (!mine || !membership || !entry.details.role) return model;
      return { ...model, room: { ...room, membership: { ...membership, role: entry.details.role } } };
    case 'member.kicked':
    case 'member.banned':
      if (!mine) return model;
      return { ...model, removed: entry.action === 'member.kicked' ? 'kicked' : 'banned', room: { ...room, membership: null } };
    default:
      return model;
  }
}

/** Your mute in the room ends then (null: not muted). */
export function mutedUntil(model: RoomModel, until: string | null): RoomModel {
  const membership = model.room?.membership;
  if (!membership || membership.mutedUntil === until) return model;
  return { ...model, room: { ...model.room!, membership: { ...membership, mutedUntil: until } } };
}

/**
 * Someone's data was erased: their messages held become tombstones without text, files or profile
 * (the server's copies, when they come, are the same).
 */
export function erased(model: RoomModel, userId: string, now = new Date().toISOString()): RoomModel {
  let messages: Map<string, MessageDto> | null = null;
  for (const [id, m] of model.messages) {
    if (m.senderId !== userId) continue;
    const sender = m.sender && { ...m.sender, name: null, lastName: null, username: null, avatarUrl: null };
    (messages ??= new Map(model.messages)).set(id, { ...m, text: '', attachments: [], sender, deletedAt: m.deletedAt ?? now });
  }
  const pins = model.pins.filter((p) => p.message.senderId !== userId);
  if (!messages && pins.length === model.pins.length) return model;
  return { ...model, messages: messages ?? model.messages, pins };
}
