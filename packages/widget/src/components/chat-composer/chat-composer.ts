import { LIMITS } from '@confab/protocol';
import type { AttachmentDto, CannedResponseDto } from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

import type { I18n } from '../../i18n/index.js';
import { FileDrop } from '../../lib/drop.js';
import { fileIcon, fileKind } from '../../lib/file-kind.js';
import { formatBytes } from '../../lib/format.js';
import { crossIcon, paperclipIcon, sendIcon } from '../../lib/icons.js';
import { composerStyles } from './chat-composer.styles.js';
import { uploadError } from './upload-error.js';

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
  /** The message this one answers (set by the thread, not the composer). */
  replyTo?: string;
}

let nextKey = 1;

/**
 * The message box: multi-line (Enter sends, Shift+Enter breaks the line), files by button, paste
 * or drop with upload progress and previews, and `/shortcut` saved replies when `canned` is set
 * (an empty list still says, on `/`, that there are none yet; null: saved replies do not apply).
 * Fires `confab-submit` (detail: ComposerSubmit) and calls `onTyping` on input.
 */
export class ChatComposer extends LitElement {
  static override styles = composerStyles;

  @property({ attribute: false }) i18n!: I18n;
  @property({ attribute: false }) upload: Uploader | null = null;
  @property({ attribute: false }) canned: readonly CannedResponseDto[] | null = null;
  @property({ attribute: false }) onTyping: (() => void) | null = null;
  @property({ attribute: false }) previewSrc: ((attachment: AttachmentDto) => Promise<string>) | null = null;
  @property({ type: Boolean }) disabled = false;
  /** Replaces the box's placeholder (the inbox's private-note mode says who will read it). */
  @property({ attribute: false }) placeholder: string | null = null;
  /** What is written is a private note, not a reply: the box is tinted (`--chat-note-bg`). */
  @property({ type: Boolean, reflect: true }) note = false;

  @state() private text = '';
  @state() private files: PendingFile[] = [];
  @state() private suggestion = 0;
  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private fileInput!: HTMLInputElement;
  private readonly drop = new FileDrop(this, () => (this.upload ? (files) => this.addFiles(files) : null));

  override focus(): void {
    this.textarea?.focus();
  }

  /** Adds files to upload (from a drop on the message view, say). */
  addFiles(files: Iterable<File>): void {
    const upload = this.upload;
    if (!upload) return;
    const { t } = this.i18n;
    let count = this.files.filter((f) => !f.error).length;
    for (const file of files) {
      const pending: PendingFile = { key: nextKey++, file, progress: 0, attachment: null, preview: null, error: null };
      // What the server would refuse anyway is said at once, without an upload.
      const max = LIMITS.attachmentsPerMessageMax;
      if (count >= max) pending.error = t('tooManyFiles', { name: file.name, max });
      else if (!file.size) pending.error = t('fileEmpty', { name: file.name });
      else count++;
      this.files = [...this.files, pending];
      if (pending.error) continue;
      upload(file, (fraction) => this.patch(pending.key, { progress: fraction })).then(
        async (attachment) => {
          this.patch(pending.key, { attachment, progress: 1 });
          if (attachment.width && this.previewSrc)
            this.patch(pending.key, { preview: await this.previewSrc(attachment).catch(() => null) });
        },
        (err: unknown) => this.patch(pending.key, { error: uploadError(this.i18n, file.name, err) }),
      );
    }
  }

  protected override render() {
    const { t } = this.i18n;
    const matches = this.suggestions();
    const hint = matches.length ? '' : this.cannedHint();
    const uploading = this.files.some((f) => !f.attachment && !f.error);
    const ready = this.files.filter((f) => f.attachment);
    const canSend = !this.disabled && !uploading && (this.text.trim() !== '' || ready.length > 0);
    return html`
      <form
        part="composer"
        class=${this.drop.active ? 'dropping' : ''}
        @submit=${this.onSubmit}
        @dragenter=${this.drop.onDragEnter}
        @dragover=${this.drop.onDragOver}
        @dragleave=${this.drop.onDragLeave}
        @drop=${this.drop.onDrop}
      >
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
        <p class="hint" role="status">${hint}</p>
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
                    ${paperclipIcon}
                  </button>
                  <input class="sr-only" type="file" multiple tabindex="-1" aria-hidden="true" @change=${this.onPick} />`
              : nothing
          }
          <textarea
            part="input"
            rows="1"
            aria-label=${t('inputLabel')}
            placeholder=${this.placeholder ?? t('inputPlaceholder')}
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
          <button part="send-button" class="send" type="submit" ?disabled=${!canSend}>
            ${sendIcon}<span class="send-label">${t('send')}</span>
          </button>
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
    const name = f.file.name;
    const percent = Math.round(f.progress * 100);
    const detail = f.error
      ? html`<span class="error" role="alert">${f.error}</span>`
      : f.attachment
        ? html`<span class="size">${formatBytes(f.file.size, this.i18n.locale)}</span>`
        : html`<progress max="100" value=${percent} aria-label=${t('uploading', { name, percent })}></progress>`;
    return html`<li class=${f.error ? 'file failed' : 'file'} title=${name}>
      ${f.preview ? html`<img src=${f.preview} alt="" />` : fileIcon(fileKind(f.attachment?.type ?? f.file.type, name))}
      <span class="file-text">${f.error ? nothing : html`<span class="name">${name}</span>`}${detail}</span>
      <button
        type="button"
        class="remove"
        aria-label=${t('removeFile', { name })}
        title=${t('removeFile', { name })}
        @click=${() => this.removeFile(f.key)}
      >
        ${crossIcon(16)}
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
    if (!this.canned?.length || !this.typingShortcut()) return [];
    const typed = this.text.slice(1).toLowerCase();
    return this.canned.filter((c) => c.shortcut.startsWith(typed)).slice(0, 8);
  }

  /** Why no saved reply is offered while a `/shortcut` is typed (none saved, or none matches). */
  private cannedHint(): string {
    if (!this.canned || !this.typingShortcut()) return '';
    const typed = this.text.slice(1);
    return this.canned.length && typed ? this.i18n.t('noCannedMatch', { typed }) : this.canned.length ? '' : this.i18n.t('noCanned');
  }

  private typingShortcut(): boolean {
    return this.text.startsWith('/') && !/\s/.test(this.text) && this.text.length <= 1 + LIMITS.shortcutMax;
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
}
