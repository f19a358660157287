import type { MessageDto } from '@confab/protocol';

import type { RoomChange } from '../../redis/room-cache.js';
import { messageDto, toAttachmentDto } from '../dto/message-dto.js';
import type { SendOutcome, WrittenSends } from './send-batch.js';

// What a committed batch of sends gives the rest of the server: wire forms and cache changes.

/** Wire forms of each created send's message and follow-ups, by request index, from the rows just written. */
export function createdDtos(outcomes: SendOutcome[]): Map<number, MessageDto[]> {
  const dtos = new Map<number, MessageDto[]>();
  outcomes.forEach((outcome, i) => {
    if (outcome.kind !== 'created') return;
    dtos.set(i, [
      messageDto(outcome.message, outcome.message.sender, outcome.files.map(toAttachmentDto), []),
      ...outcome.followUps.map((note) => messageDto(note, note.sender, [], [])),
    ]);
  });
  return dtos;
}

/** What a committed batch changed for the room cache: each room's newest version, and the members it added. */
export function cacheChanges({ outcomes, enrolled }: WrittenSends): Record<string, RoomChange> {
  const changes: Record<string, RoomChange> = {};
  for (const outcome of outcomes) {
    if (outcome.kind !== 'created') continue;
    const change = (changes[outcome.room.id] ??= {});
    change.version = Math.max(change.version ?? 0, outcome.room.version);
  }
  for (const { roomId, userId, role } of enrolled) {
    const change = (changes[roomId] ??= {});
    change.members = { ...change.members, [userId]: role };
  }
  return changes;
}
