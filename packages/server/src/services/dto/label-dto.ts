import type { LabelColour, SupportLabelDto, SupportLabelRefDto } from '@confab/protocol';
import type { Knex } from 'knex';

export interface LabelRow {
  id: string;
  appId: string;
  name: string;
  colour: LabelColour;
  createdAt: Date | string;
}

export function toLabelDto(row: LabelRow): SupportLabelDto {
  return { id: row.id, name: row.name, colour: row.colour, createdAt: new Date(row.createdAt).toISOString() };
}

/** The labels on each of these conversations, by name: one query for a whole page. */
export async function loadConversationLabels(db: Knex, roomIds: string[]): Promise<Map<string, SupportLabelRefDto[]>> {
  const byRoom = new Map<string, SupportLabelRefDto[]>();
  if (!roomIds.length) return byRoom;
  const rows: (SupportLabelRefDto & { roomId: string })[] = await db('conversation_labels as cl')
    .join('support_labels as l', 'l.id', 'cl.label_id')
    .whereIn('cl.room_id', roomIds)
    .orderByRaw('lower(l.name), l.id')
    .select('cl.room_id', 'l.id', 'l.name', 'l.colour');
  for (const { roomId, id, name, colour } of rows) {
    const list = byRoom.get(roomId) ?? [];
    list.push({ id, name, colour });
    byRoom.set(roomId, list);
  }
  return byRoom;
}
