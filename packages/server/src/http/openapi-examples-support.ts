import type {
  ConversationRatingDto,
  SupportAvailabilityDto,
  SupportLabelDto,
  SupportNoteDto,
  SupportReportDto,
  UserSummaryDto,
} from '@confab/protocol';

// The support desk's agent-side examples (ratings, availability, labels, notes, reports, saved
// replies), for openapi-examples.ts: they refer to its ids, times and agent.
interface DeskIds {
  conversation: string;
  bob: string;
  label: string;
  note: string;
  canned: string;
}

export function supportDeskExamples({
  ids,
  agent,
  created,
  later,
}: {
  ids: DeskIds;
  agent: UserSummaryDto;
  created: string;
  later: string;
}) {
  const rating: ConversationRatingDto = {
    conversationId: ids.conversation,
    score: 4,
    comment: 'Quick and kind, thanks!',
    resolvedAt: '2025-03-14T09:40:12.000Z',
    createdAt: '2025-03-14T09:41:30.000Z',
    updatedAt: '2025-03-14T09:41:30.000Z',
  };
  const availability: SupportAvailabilityDto = {
    available: true,
    withinBusinessHours: true,
    online: 1,
    away: 0,
    agents: [{ id: ids.bob, name: 'Bob', lastName: 'Okafor', avatarUrl: null, status: 'online' }],
  };
  const label: SupportLabelDto = { id: ids.label, name: 'Shipping', colour: 'blue', createdAt: created };
  const note: SupportNoteDto = {
    id: ids.note,
    conversationId: ids.conversation,
    author: agent,
    text: 'Order 1042 left the warehouse yesterday. @carol can you check the tracking?',
    mentions: ['e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b'],
    clientId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
    createdAt: later,
    deletedAt: null,
  };
  const reportDay = (day: string, opened: number, resolved: number) => ({
    key: day,
    name: day,
    colour: null,
    opened,
    resolved,
    firstResponse: { medianSeconds: 210, p90Seconds: 510, count: opened },
    resolution: { medianSeconds: 3960, p90Seconds: 14_400, count: resolved },
    csat: { average: 4.5, count: 2 },
  });
  const report: SupportReportDto = {
    from: '2025-03-10T00:00:00.000Z',
    to: '2025-03-12T00:00:00.000Z',
    timezone: 'Europe/Lisbon',
    groupBy: 'day',
    rows: [reportDay('2025-03-10', 4, 3), reportDay('2025-03-11', 4, 5)],
    totals: {
      opened: 8,
      resolved: 8,
      firstResponse: { medianSeconds: 210, p90Seconds: 510, count: 8 },
      resolution: { medianSeconds: 3960, p90Seconds: 14_400, count: 8 },
      csat: { average: 4.5, count: 4 },
    },
  };
  const canned = {
    id: ids.canned,
    shortcut: 'shipping',
    text: 'We ship to the EU in 3-5 working days.',
    createdBy: ids.bob,
    createdAt: created,
    updatedAt: later,
  };

  return { rating, availability, label, note, report, canned };
}
