import type { ChatClient, Store, SupportConversationDto, SupportLabelDto } from '@confab/sdk';

import type { AgentState } from './agent-state.js';
import type { LabelActions } from './inbox-label-settings.js';
import { nextColour, withLabels } from './inbox-label-state.js';

/**
 * The app's labels in the agent's store: loaded at sign-in and whenever the connection comes up
 * (a `support:labels` may have gone by unheard), kept live, and changed from the picker or the
 * Settings page.
 */
export class AgentLabels {
  /** How many `support:labels` were heard: a list asked for before the last one is older than it. */
  private heard = 0;

  constructor(
    private readonly client: ChatClient,
    private readonly state: Store<AgentState>,
    /** The list again: its label filter went with a deleted label. */
    private readonly reloadList: () => void,
  ) {}

  /** The client's events this part of the inbox follows; returns their unsubscribes. */
  listen(): (() => void)[] {
    return [
      this.client.on('support:labels', ({ labels }) => {
        this.heard++;
        this.apply(labels);
      }),
    ];
  }

  load(): void {
    const heard = this.heard;
    this.client.support.labels.list().then(
      (page) => {
        if (this.heard === heard) this.apply(page.items);
      },
      () => undefined,
    );
  }

  /** Creates a label (the next palette colour) and puts it on the conversation. */
  async createOn(c: SupportConversationDto, name: string): Promise<SupportConversationDto> {
    const label = await this.client.support.labels.create({ name, colour: nextColour(this.state.get().labels) });
    this.apply([...this.state.get().labels.filter((l) => l.id !== label.id), label]);
    return this.client.support.addLabel(c.id, label.id);
  }

  /**
   * The Settings page's label changes. Each applies to the state as soon as the server answers
   * (`support:labels` then brings the same list to every agent); a refusal rejects with its message.
   */
  readonly actions: LabelActions = {
    create: async (input) => {
      const label = await this.client.support.labels.create(input);
      this.apply([...this.state.get().labels.filter((l) => l.id !== label.id), label]);
    },
    update: async (id, patch) => {
      const label = await this.client.support.labels.update(id, patch);
      this.apply(this.state.get().labels.map((l) => (l.id === id ? label : l)));
    },
    remove: async (id) => {
      await this.client.support.labels.remove(id);
      this.apply(this.state.get().labels.filter((l) => l.id !== id));
    },
  };

  private apply(labels: SupportLabelDto[]): void {
    const filtered = this.state.get().labelFilter;
    const sorted = [...labels].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    this.state.set((s) => ({ ...s, ...withLabels(s, sorted) }));
    if (filtered && !this.state.get().labelFilter) this.reloadList();
  }
}
