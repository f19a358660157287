import type { ChatMessage } from '@confab/sdk';

/** One row of the message view: a day separator or a message (first of its group or not). */
export type TimelineRow =
  { kind: 'day'; key: string; at: string } | { kind: 'message'; key: string; message: ChatMessage; groupStart: boolean; groupEnd: boolean };

const GROUP_GAP_MS = 5 * 60_000;

/**
 * Day separators between days (local time) and grouping of consecutive messages from the same
 * sender within five minutes; system messages stand alone.
 */
export function timeline(messages: readonly ChatMessage[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previous: ChatMessage | null = null;
  for (const message of messages) {
    const newDay = !previous || localDay(previous.createdAt) !== localDay(message.createdAt);
    if (newDay) rows.push({ kind: 'day', key: `day:${localDay(message.createdAt)}`, at: message.createdAt });
    const sameGroup =
      !newDay &&
      previous !== null &&
      previous.type !== 'system' &&
      message.type !== 'system' &&
      previous.senderId === message.senderId &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_GAP_MS;
    const key = message.clientId ? `c:${message.clientId}` : message.id;
    rows.push({ kind: 'message', key, message, groupStart: !sameGroup, groupEnd: true });
    previous = message;
  }
  for (const [i, row] of rows.entries()) {
    const next = rows[i + 1];
    if (row.kind === 'message' && next?.kind === 'message' && !next.groupStart) row.groupEnd = false;
  }
  return rows;
}

function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}
