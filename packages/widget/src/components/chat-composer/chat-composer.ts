import { LIMITS } from '@confab/protocol';
import type { AttachmentDto, CannedResponseDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import type { I18n } from '../../i18n/index.js';
import { composerStyles } from './chat-composer.styles.js';

/** Uploads one file, reporting progress; provided by the parent (it owns the session). */
export type Uploader = (file: File, onProgress: (fraction: number) => void) => Promise<AttachmentDto>;

interface PendingFile {
  key: number;
  file: File;
  progress: number;
  attachment: AttachmentDto | null;
  /** Shown once uploaded (a server URL, so no `blob:` source is needed under a strict CSP). */
  preview: string | null;
  error: string | null;
}

/** What a send carries: the text and the ids of uploaded files. */
export interface ComposerSubmit {
  text: string;
  attachments: AttachmentDto[];
}

let nextKey = 1;

/**
 * The message box: multi-line (Enter sends, Shift+Enter breaks the line), files by button, paste
 * or drop with upload progress and previews, and `/shortcut` saved replies when `canned` is set.
 * Fires `confab-submit` (detail: ComposerSubmit) and calls `onTyping` on input.
 */
export class ChatComposer extends LitElement {
  static override styles = composerStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) upload: Uploader | null = null;
  @property({ attribute: false }) canned: readonly CannedResponseDto[] = [];
  @property({ attribute: false }) onTyping: (() => void) | null = null;
  @property({ attribute: false }) previewSrc: ((attachment: AttachmentDto) => Promise<string>) | null = null;
  @property({ type: Boolean }) disabled = false;

  @state() private text = '';
  @state() private files: PendingFile[] = [];
  @state() private suggestion = 0;
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private fileInput!: HTMLInputElement;

  override focus(): void {
    this.textarea?.focus();
  }

  /** Adds files to upload (from a drop on the message view, say). */
  addFiles(files: Iterable<File>): void {
    if (!this.upload) return;
    for (const file of files) {
      const pending: PendingFile = { key: nextKey++, file, progress: 0, attachment: null, preview: null, error: null };
      this.files = [...this.files, pending];
      this.upload(file, (fraction) => this.patch(pending.key, { progress: fraction })).then(
        async (attachment) => {
          this.patch(pending.key, { attachment, progress: 1 });
          if (attachment.width && this.previewSrc)
            this.patch(pending.key, { preview: await this.previewSrc(attachment).catch(() => null) });
        },
        (err: Error) => this.patch(pending.key, { error: err.message }),
      );
    }
  }

  protected override render() {
    const { t } = this.i18n;
    const matches = this.suggestions();
    const uploading = this.files.some((f) => !f.attachment && !f.error);
    const ready = this.files.filter((f) => f.attachment);
    const canSend = !this.disabled && !uploading && (this.text.trim() !== '' || ready.length > 0);
    return html`
      <form part="composer" @submit=${this.onSubmit} @dragover=${this.onDragOver} @drop=${this.onDrop}>
        ${
          matches.length
            ? html`<ul class="suggestions" role="listbox" id="canned" aria-label=${t('cannedResponses')}>
                ${matches.map(
                  (c, i) =>
                    html`<li
                      role="option"
                      id=${`canned-${i}`}
                      aria-selected=${i === this.suggestion ? 'true' : 'false'}
                      @mousedown=${(e: Event) => this.pick(e, c)}
                    >
                      <span class="shortcut">/${c.shortcut}</span> ${c.text}
                    </li>`,
                )}
              </ul>`
            : nothing
        }
        ${
          this.files.length
            ? html`<ul class="files">
                ${repeat(
                  this.files,
                  (f) => f.key,
                  (f) => this.renderFile(f),
                )}
              </ul>`
            : nothing
        }
        <div class="row">
          ${
            this.upload
              ? html`<button
                    type="button"
                    class="icon"
                    aria-label=${t('attach')}
                    title=${t('attach')}
                    @click=${() => this.fileInput.click()}
                  >
                    ${paperclip}
                  </button>
                  <input class="sr-only" type="file" multiple tabindex="-1" aria-hidden="true" @change=${this.onPick} />`
              : nothing
          }
          <textarea
            part="input"
            rows="1"
            aria-label=${t('inputLabel')}
            placeholder=${t('inputPlaceholder')}
            maxlength=${LIMITS.messageTextMax}
            role=${matches.length ? 'combobox' : nothing}
            aria-expanded=${matches.length ? 'true' : nothing}
            aria-controls=${matches.length ? 'canned' : nothing}
            aria-activedescendant=${matches.length ? `canned-${this.suggestion}` : nothing}
            .value=${this.text}
            ?disabled=${this.disabled}
            @input=${this.onInput}
            @keydown=${this.onKeyDown}
            @paste=${this.onPaste}
          ></textarea>
          <button part="send-button" class="send" type="submit" ?disabled=${!canSend}>${t('send')}</button>
        </div>
      </form>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('text' as keyof ChatComposer) && this.textarea) {
      this.textarea.style.height = 'auto';
      this.textarea.style.height = `${Math.min(this.textarea.scrollHeight + 2, 140)}px`;
    }
  }

  private renderFile(f: PendingFile) {
    const { t } = this.i18n;
    const percent = Math.round(f.progress * 100);
    return html`<li class="file">
      ${f.preview ? html`<img src=${f.preview} alt="" />` : nothing}
      <span class="name">${f.file.name}</span>
      ${
        f.error
          ? html`<span class="error" role="alert">${t('uploadFailed', { name: f.file.name, reason: f.error })}</span>`
          : f.attachment
            ? nothing
            : html`<progress max="100" value=${percent} aria-label=${t('uploading', { name: f.file.name, percent })}></progress>`
      }
      <button type="button" class="remove" aria-label=${t('removeFile', { name: f.file.name })} @click=${() => this.removeFile(f.key)}>
        ✕
      </button>
    </li>`;
  }

  private patch(key: number, patch: Partial<PendingFile>): void {
    this.files = this.files.map((f) => (f.key === key ? { ...f, ...patch } : f));
  }

  private removeFile(key: number): void {
    this.files = this.files.filter((f) => f.key !== key);
    this.focus();
  }

  /** Saved replies whose shortcut starts with what follows a leading `/`. */
  private suggestions(): readonly CannedResponseDto[] {
    if (!this.canned.length || !this.text.startsWith('/') || /\s/.test(this.text)) return [];
    const typed = this.text.slice(1).toLowerCase();
    return this.canned.filter((c) => c.shortcut.startsWith(typed)).slice(0, 8);
  }

  private pick(e: Event, canned: CannedResponseDto): void {
    e.preventDefault();
    this.text = canned.text;
    this.suggestion = 0;
    this.focus();
  }

  private onInput(e: InputEvent): void {
    this.text = (e.target as HTMLTextAreaElement).value;
    this.suggestion = 0;
    if (this.text) this.onTyping?.();
  }

  private onKeyDown(e: KeyboardEvent): void {
    const matches = this.suggestions();
    if (matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.suggestion = (this.suggestion + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const picked = matches[this.suggestion] ?? matches[0];
        if (picked) this.pick(e, picked);
        return;
      }
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.text = `${this.text} `;
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    }
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    this.submit();
  }

  private submit(): void {
    if (this.files.some((f) => !f.attachment && !f.error)) return;
    const text = this.text.trim();
    const attachments = this.files.flatMap((f) => (f.attachment ? [f.attachment] : []));
    if ((!text && !attachments.length) || this.disabled) return;
    this.dispatchEvent(new CustomEvent<ComposerSubmit>('confab-submit', { detail: { text, attachments } }));
    this.text = '';
    this.files = [];
  }

  private onPick(e: Event): void {
    const input = e.target as HTMLInputElement;
    if (input.files) this.addFiles([...input.files]);
    input.value = '';
  }

  private onPaste(e: ClipboardEvent): void {
    const files = [...(e.clipboardData?.files ?? [])];
    if (!files.length || !this.upload) return;
    e.preventDefault();
    this.addFiles(files);
  }

  private onDragOver(e: DragEvent): void {
    if (this.upload && e.dataTransfer?.types.includes('Files')) e.preventDefault();
  }

  private onDrop(e: DragEvent): void {
    const files = [...(e.dataTransfer?.files ?? [])];
    if (!files.length || !this.upload) return;
    e.preventDefault();
    this.addFiles(files);
  }
}

const paperclip = html`<svg
  viewBox="0 0 24 24"
  width="20"
  height="20"
  aria-hidden="true"
  fill="none"
  stroke="currentColor"
  stroke-width="2"
  stroke-linecap="round"
  stroke-linejoin="round"
>
  <path d="m21 11-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6L15 6.6" />
</svg>`;
