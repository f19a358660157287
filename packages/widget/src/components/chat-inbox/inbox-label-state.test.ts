import type { SupportInboxItemDto, SupportLabelDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { type AgentState, INITIAL_AGENT } from './agent-state.js';
import { matchesLabel, nextColour, withLabels } from './inbox-label-state.js';

const label = (id: string, name: string, colour: SupportLabelDto['colour'] = 'blue'): SupportLabelDto => ({
  id,
  name,
  colour,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const item = (id: string, labels: SupportLabelDto[]) =>
  ({ id, labels: labels.map(({ id: lid, name, colour }) => ({ id: lid, name, colour })) }) as unknown as SupportInboxItemDto;

describe('inbox label state', () => {
  it('renames, recolours and drops labels on every conversation it holds', () => {
    const bug = label('l1', 'Bug', 'red');
    const vip = label('l2', 'VIP', 'yellow');
    const s: AgentState = {
      ...INITIAL_AGENT,
      labels: [bug, vip],
      items: [item('a', [bug, vip]), item('b', [vip])],
      selected: item('a', [bug, vip]),
      previous: [item('c', [bug])],
    };
    const next = withLabels(s, [{ ...bug, name: 'Defect', colour: 'orange' }]);
    expect(next.items!.map((i) => i.labels)).toEqual([[{ id: 'l1', name: 'Defect', colour: 'orange' }], []]);
    expect(next.selected!.labels).toEqual([{ id: 'l1', name: 'Defect', colour: 'orange' }]);
    expect(next.previous![0]!.labels.map((l) => l.name)).toEqual(['Defect']);
    expect(next.labels!.map((l) => l.name)).toEqual(['Defect']);
  });

  it('keeps the label filter while its label exists and drops it when deleted', () => {
    const bug = label('l1', 'Bug');
    expect(withLabels({ ...INITIAL_AGENT, labelFilter: 'l1' }, [bug]).labelFilter).toBe('l1');
    expect(withLabels({ ...INITIAL_AGENT, labelFilter: 'l1' }, []).labelFilter).toBeNull();
    expect(withLabels({ ...INITIAL_AGENT, selected: null }, [bug]).selected).toBeNull();
  });

  it('matches every conversation without a filter and only labelled ones with it', () => {
    const bug = label('l1', 'Bug');
    expect(matchesLabel(item('a', []), null)).toBe(true);
    expect(matchesLabel(item('a', []), 'l1')).toBe(false);
    expect(matchesLabel(item('a', [bug]), 'l1')).toBe(true);
  });

  it('gives new labels the palette in turn', () => {
    expect(nextColour([])).toBe('blue');
    expect(nextColour([label('1', 'a')])).toBe('green');
    expect(nextColour(Array.from({ length: 8 }, (_, i) => label(String(i), String(i))))).toBe('blue');
  });
});
