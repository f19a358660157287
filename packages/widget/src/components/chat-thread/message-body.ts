import type { AttachmentDto } from '@confab/sdk';
import { css, html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { autolink } from '../../lib/autolink.js';
import { fileExtension, fileIcon, fileKind } from '../../lib/file-kind.js';
import { formatBytes } from '../../lib/format.js';
import { downloadIcon } from '../../lib/icons.js';
import { styleProps } from '../../lib/style-props.js';

/** Plain text with http(s) links; never HTML. */
export function renderText(text: string) {
  return autolink(text).map((part) =>
    part.href ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>` : part.text,
  );
}

/** How a message's files reach their bytes: `srcFor` is undefined until a URL is known; `open` shows an image full size. */
export interface FileActions {
  srcFor(file: AttachmentDto): string | undefined;
  /** The image's thumbnail URL (its own URL when it has none), undefined until known. */
  thumbnailFor(file: AttachmentDto): string | undefined;
  open(file: AttachmentDto, src: string, opener: HTMLElement): void;
  /** About to be used (pointer over it, focus): make sure its link is still good. */
  refresh(file: AttachmentDto): void;
}

// Thumbnails fit in MAX×MAX; tiny images are scaled up to MIN on their long side, so they can be hit.
const THUMB_MAX = 240;
const THUMB_MIN = 120;
// Past 3:1 the box is cropped (object-fit: cover) rather than becoming a sliver.
const RATIO_MAX = 3;

/** The thumbnail box of an image, known from its stored size before any byte arrives. */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const ratio = Math.min(RATIO_MAX, Math.max(1 / RATIO_MAX, width / height));
  // The part of the image the box shows, in image pixels (all of it, unless cropped).
  const boxW = ratio >= 1 ? height * ratio : width;
  const boxH = boxW / ratio;
  const fit = Math.min(THUMB_MAX / boxW, THUMB_MAX / boxH);
  const scale = Math.min(fit, Math.max(1, THUMB_MIN / Math.max(boxW, boxH)));
  return { width: Math.round(boxW * scale), height: Math.round(boxH * scale) };
}

/** Images as thumbnails that open in the lightbox; other files as cards (icon, name, size) that download. */
export function renderFiles(files: readonly AttachmentDto[], i18n: I18n, actions: FileActions) {
  if (!files.length) return nothing;
  return html`<div class="files">
    ${files.map((f) => (f.width && f.height ? renderImage(f, f.width, f.height, i18n, actions) : renderCard(f, i18n, actions)))}
  </div>`;
}

function renderImage(f: AttachmentDto, width: number, height: number, i18n: I18n, actions: FileActions) {
  const src = actions.thumbnailFor(f);
  const box = thumbnailSize(width, height);
  // The box has its final size from the first render: nothing moves when the URL or the bytes arrive.
  const size = styleProps({ width: `${box.width}px`, 'aspect-ratio': `${box.width} / ${box.height}` });
  return html`<button
    type="button"
    class="thumb"
    part="image"
    data-file-id=${f.id}
    ${size}
    aria-haspopup="dialog"
    aria-label=${i18n.t('openImage', { name: f.name })}
    ?disabled=${!src}
    @click=${(e: Event) => src && actions.open(f, src, e.currentTarget as HTMLElement)}
  >
    ${src ? html`<img src=${src} alt=${f.name} width=${width} height=${height} loading="lazy" decoding="async" />` : nothing}
  </button>`;
}

function renderCard(f: AttachmentDto, i18n: I18n, actions: FileActions) {
  const src = actions.srcFor(f);
  const size = formatBytes(f.size, i18n.locale);
  const ext = fileExtension(f.name);
  const body = html`${fileIcon(fileKind(f.type, f.name))}
    <span class="file-text">
      <span class="file-name">${f.name}</span>
      <span class="file-size">${ext ? `${ext} · ${size}` : size}</span>
    </span>
    ${src ? html`<span class="file-action">${downloadIcon}<span class="sr-only">${i18n.t('downloadAction')}</span></span>` : nothing}`;
  return src
    ? html`<a
        class="file-card"
        part="file"
        href=${src}
        download=${f.name}
        target="_blank"
        rel="noopener noreferrer"
        title=${f.name}
        @pointerenter=${() => actions.refresh(f)}
        @focus=${() => actions.refresh(f)}
        >${body}</a
      >`
    : html`<span class="file-card" part="file" title=${f.name}>${body}</span>`;
}

/** Thumbnails and file cards, readable on the neutral bubble and on the accent-coloured own one. */
export const filesStyles = css`
  .files {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 6px;
    margin-top: 6px;
    max-width: 100%;
  }
  .files:first-child {
    margin-top: 0;
  }
  .thumb {
    display: block;
    box-sizing: border-box;
    max-width: 100%;
    height: auto;
    padding: 0;
    border: none;
    border-radius: 8px;
    overflow: hidden;
    background: var(--chat-bubble-bg, rgba(127, 127, 127, 0.15));
    cursor: zoom-in;
  }
  /* Images alone are shown as themselves, not inside a coloured bubble. */
  .bubble:has(.thumb):not(:has(.text, .quote, .file-card, form)) {
    padding: 0;
    background: transparent;
  }
  .bubble:has(.thumb):not(:has(.text, .quote, .file-card, form)) .thumb {
    border-radius: var(--chat-radius, 12px);
    border: 1px solid var(--chat-border, rgba(127, 127, 127, 0.3));
  }
  .thumb:disabled {
    cursor: default;
  }
  .thumb img {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .file-card {
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: 10px;
    width: 240px;
    max-width: 100%;
    padding: 8px 10px;
    border-radius: 8px;
    border: 1px solid color-mix(in srgb, currentColor 28%, transparent);
    background: color-mix(in srgb, currentColor 8%, transparent);
    color: inherit;
    text-decoration: none;
    line-height: 1.3;
  }
  .bubble a.file-card {
    color: inherit;
    text-decoration: none;
  }
  a.file-card:hover {
    background: color-mix(in srgb, currentColor 16%, transparent);
  }
  .file-card .file-icon {
    flex: none;
    width: 32px;
    height: 32px;
  }
  .file-text {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .file-name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .file-size {
    font-size: 0.82em;
  }
  .file-action {
    flex: none;
    display: inline-flex;
  }
`;
