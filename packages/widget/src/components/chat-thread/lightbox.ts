import type { AttachmentDto } from '@confab/sdk';
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { crossIcon, downloadIcon } from '../../lib/icons.js';

interface Shown {
  file: AttachmentDto;
  src: string;
  /** Gets the focus back on close. */
  opener: HTMLElement | null;
}

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: ParentNode };

/**
 * An image shown full size over the page, inside the component: a modal `<dialog>` (the rest of
 * the page inert, focus kept inside) labelled by the file's name, with a download link and a close
 * button. Escape, the close button and a click beside the image close it; focus returns to
 * whatever opened it. The host renders `render()` once and calls `open()`.
 */
export class Lightbox implements ReactiveController {
  private shown: Shown | null = null;

  constructor(
    private readonly host: Host,
    private readonly i18n: () => I18n,
  ) {
    host.addController(this);
  }

  get isOpen(): boolean {
    return this.shown !== null;
  }

  hostDisconnected(): void {
    this.shown = null;
  }

  async open(file: AttachmentDto, src: string, opener: HTMLElement | null): Promise<void> {
    this.shown = { file, src, opener };
    this.host.requestUpdate();
    await this.host.updateComplete;
    const dialog = this.dialog();
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>('.lightbox-close')?.focus();
  }

  close(): void {
    const shown = this.shown;
    if (!shown) return;
    this.shown = null;
    const dialog = this.dialog();
    if (dialog?.open) dialog.close();
    this.host.requestUpdate();
    const opener = shown.opener?.isConnected
      ? shown.opener
      : this.host.renderRoot.querySelector<HTMLElement>(`[data-file-id="${CSS.escape(shown.file.id)}"]`);
    opener?.focus();
  }

  render() {
    const shown = this.shown;
    if (!shown) return nothing;
    const { t } = this.i18n();
    const { file, src } = shown;
    return html`<dialog
      class="lightbox"
      part="lightbox"
      aria-modal="true"
      aria-labelledby="lightbox-title"
      @keydown=${this.onKeyDown}
      @cancel=${this.onCancel}
      @close=${this.onClose}
      @click=${this.onClick}
    >
      <div class="lightbox-bar">
        <h2 id="lightbox-title" class="lightbox-title" title=${file.name}>${file.name}</h2>
        <a
          class="lightbox-button"
          href=${src}
          download=${file.name}
          target="_blank"
          rel="noopener noreferrer"
          aria-label=${t('download', { name: file.name })}
          title=${t('download', { name: file.name })}
          >${downloadIcon}</a
        >
        <button class="lightbox-button lightbox-close" type="button" aria-label=${t('closeImage')} title=${t('closeImage')}>
          ${crossIcon(22)}
        </button>
      </div>
      <div class="lightbox-stage">
        <img class="lightbox-image" src=${src} alt=${file.name} width=${file.width ?? nothing} height=${file.height ?? nothing} />
      </div>
    </dialog>`;
  }

  private dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog.lightbox');
  }

  // Handled here, not left to the dialog: an Escape must not also close the widget's panel.
  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if (e.key === 'Tab') {
      this.keepFocusInside(e);
    }
  };

  // Closed some other way (a form method=dialog, the browser): only the dialog on screen counts.
  private readonly onClose = (e: Event): void => {
    if (e.target === this.dialog()) this.close();
  };

  private readonly onCancel = (e: Event): void => {
    e.preventDefault();
    this.close();
  };

  /** A click on the dark space around the image (or on the close button) closes. */
  private readonly onClick = (e: MouseEvent): void => {
    const target = e.target as HTMLElement;
    if (target.closest('.lightbox-close') || target.classList.contains('lightbox') || target.classList.contains('lightbox-stage')) {
      this.close();
    }
  };

  private keepFocusInside(e: KeyboardEvent): void {
    const dialog = e.currentTarget as HTMLDialogElement;
    const stops = [...dialog.querySelectorAll<HTMLElement>('a[href], button')];
    const first = stops[0];
    const last = stops[stops.length - 1];
    const active = (this.host.renderRoot as ShadowRoot).activeElement;
    if (e.shiftKey && (active === first || !dialog.contains(active))) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && (active === last || !dialog.contains(active))) {
      e.preventDefault();
      first?.focus();
    }
  }
}

export const lightboxStyles = css`
  .lightbox {
    box-sizing: border-box;
    width: 100vw;
    height: 100dvh;
    max-width: none;
    max-height: none;
    margin: 0;
    padding: 0;
    border: none;
    background: rgba(8, 10, 14, 0.92);
    color: #f3f4f6;
    display: flex;
    flex-direction: column;
    font-family: var(--chat-font);
    font-size: 15px;
  }
  .lightbox:not([open]) {
    display: none;
  }
  .lightbox::backdrop {
    background: rgba(8, 10, 14, 0.6);
  }
  .lightbox-bar {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: max(8px, env(safe-area-inset-top)) max(8px, env(safe-area-inset-right)) 8px max(16px, env(safe-area-inset-left));
  }
  .lightbox-title {
    flex: 1;
    min-width: 0;
    margin: 0;
    font-size: 1em;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .lightbox-button {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 44px;
    height: 44px;
    border: none;
    border-radius: 50%;
    background: rgba(255, 255, 255, 0.12);
    color: inherit;
    cursor: pointer;
  }
  .lightbox-button:hover {
    background: rgba(255, 255, 255, 0.22);
  }
  .lightbox-button:focus-visible {
    outline: 3px solid #8ab4ff;
    outline-offset: 2px;
  }
  .lightbox-stage {
    flex: 1;
    min-height: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    padding: 0 max(12px, env(safe-area-inset-right)) max(16px, env(safe-area-inset-bottom)) max(12px, env(safe-area-inset-left));
  }
  .lightbox-image {
    display: block;
    max-width: 100%;
    max-height: 100%;
    width: auto;
    height: auto;
    object-fit: contain;
    border-radius: 4px;
    background: #fff;
  }
`;
