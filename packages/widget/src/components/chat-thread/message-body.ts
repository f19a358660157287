import type { AttachmentDto } from '@confab/sdk';
import { html, nothing } from 'lit';

import type { I18n } from '../../i18n/index.js';
import { autolink } from '../../lib/autolink.js';

/** Plain text with http(s) links; never HTML. */
export function renderText(text: string) {
  return autolink(text).map((part) =>
    part.href ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer">${part.text}</a>` : part.text,
  );
}

/** Images as previews that open full size; other files as download links. `srcFor` is undefined until a URL is known. */
export function renderFiles(files: readonly AttachmentDto[], i18n: I18n, srcFor: (file: AttachmentDto) => string | undefined) {
  if (!files.length) return nothing;
  return html`<div class="files">
    ${files.map((f) => {
      const src = srcFor(f);
      if (f.width && f.height) {
        return src
          ? html`<a href=${src} target="_blank" rel="noopener noreferrer"
              ><img src=${src} alt=${f.name} width=${f.width} height=${f.height} loading="lazy"
            /></a>`
          : html`<span>${f.name}</span>`;
      }
      return src
        ? html`<a href=${src} download=${f.name} aria-label=${i18n.t('download', { name: f.name })}
            >📄 ${f.name} (${formatSize(f.size)})</a
          >`
        : html`<span>📄 ${f.name}</span>`;
    })}
  </div>`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
