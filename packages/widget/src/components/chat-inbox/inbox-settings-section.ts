import type { ChatClient, UserDto } from '@confab/sdk';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n, Strings } from '../../i18n/index.js';

export type SaveStatus = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

/** The words of a section's load and save states. */
export interface SectionText {
  save: keyof Strings;
  saving: keyof Strings;
  saved: keyof Strings;
  loadFailed: keyof Strings;
  retry: keyof Strings;
}

/**
 * A section of the Settings page that loads one setting, edits a draft of it (text as typed, so a
 * half-typed number is not lost) and saves it: admins change it, agents see it read-only. The
 * sections (auto-assignment, email) say how to fetch, draft and render; loading, the Save button
 * with its Saving…/Saved/error line, and "any change hides Saved" live here.
 */
export abstract class SettingsSection<Saved, Draft extends object> extends LitElement {
  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) me: UserDto | null = null;

  @state() protected saved: Saved | null = null;
  @state() protected draft: Draft | null = null;
  @state() protected loadError = '';
  @state() protected status: SaveStatus = { kind: 'idle' };

  protected abstract readonly text: SectionText;
  protected abstract fetch(client: ChatClient): Promise<Saved>;
  protected abstract draftOf(saved: Saved): Draft;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client') && this.client) void this.load();
  }

  protected get canEdit(): boolean {
    return this.me?.role === 'admin';
  }

  protected edit(patch: Partial<Draft>): void {
    this.draft = { ...this.draft!, ...patch };
  }

  /** Any change after a save hides its "Saved" (or its error). */
  protected readonly touched = () => {
    if (this.status.kind === 'saved' || this.status.kind === 'error') this.status = { kind: 'idle' };
  };

  protected async load(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.loadError = '';
    try {
      const value = await this.fetch(client);
      if (client !== this.client) return;
      this.saved = value;
      this.draft = this.draftOf(value);
    } catch {
      this.loadError = this.i18n.t(this.text.loadFailed);
    }
  }

  /** Saves through `write`, then shows what the server kept. */
  protected async persist(write: (client: ChatClient) => Promise<Saved>): Promise<void> {
    const client = this.client;
    if (!client || !this.canEdit) return;
    this.status = { kind: 'saving' };
    try {
      this.saved = await write(client);
      this.draft = this.draftOf(this.saved);
      this.status = { kind: 'saved' };
    } catch (err) {
      this.status = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  }

  protected renderLoadError() {
    return html`<p class="error" role="alert">${this.loadError}</p>
      <button class="btn" @click=${() => void this.load()}>${this.i18n.t(this.text.retry)}</button>`;
  }

  protected renderActions(invalid: boolean) {
    const { t } = this.i18n;
    const { status, text } = this;
    const line =
      status.kind === 'saving' ? t(text.saving) : status.kind === 'saved' ? t(text.saved) : status.kind === 'error' ? status.message : '';
    return html`<div class="actions">
      <button class="btn primary" type="submit" ?disabled=${invalid || status.kind === 'saving'}>${t(text.save)}</button>
      <span class="status" data-kind=${status.kind} role=${status.kind === 'error' ? 'alert' : 'status'}>${line}</span>
    </div>`;
  }
}
