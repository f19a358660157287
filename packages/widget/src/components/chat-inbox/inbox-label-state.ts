import type { LabelColour, SupportConversationDto, SupportLabelDto } from '@confab/sdk';

import type { AgentState } from './agent-state.js';

// What labels do to the inbox's state (the chips and the picker: inbox-labels.ts).

const PALETTE: readonly LabelColour[] = ['blue', 'green', 'purple', 'orange', 'teal', 'red', 'yellow', 'grey'];

/** The colour of a label made in the picker: the palette in turn, so neighbours differ. */
export function nextColour(labels: readonly SupportLabelDto[]): LabelColour {
  return PALETTE[labels.length % PALETTE.length]!;
}

/** Whether a conversation shows under the label filter (none: every one). */
export function matchesLabel(c: Pick<SupportConversationDto, 'labels'>, label: string | null): boolean {
  return !label || (c.labels ?? []).some((l) => l.id === label);
}

/**
 * The app's labels changed (`support:labels`, or a fresh list): conversations held show new names
 * and colours and drop deleted labels; a filter by a deleted label goes.
 */
export function withLabels(s: AgentState, labels: SupportLabelDto[]): Partial<AgentState> {
  const byId = new Map(labels.map((l) => [l.id, l]));
  const refresh = <T extends Pick<SupportConversationDto, 'labels'>>(c: T): T => ({
    ...c,
    labels: (c.labels ?? []).flatMap((l) => {
      const now = byId.get(l.id);
      return now ? [{ id: now.id, name: now.name, colour: now.colour }] : [];
    }),
  });
  return {
    labels,
    items: s.items.map(refresh),
    selected: s.selected && refresh(s.selected),
    previous: s.previous?.map(refresh) ?? null,
    labelFilter: s.labelFilter && byId.has(s.labelFilter) ? s.labelFilter : null,
  };
}
