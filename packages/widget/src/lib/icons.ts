import { html, svg, type SVGTemplateResult } from 'lit';

/**
 * An outline icon on a 24×24 grid, stroked in the text colour (decorative: the control it sits in
 * carries the name).
 */
export function strokeIcon(marks: SVGTemplateResult, size = 20, { width = 2, cls = '' }: { width?: number; cls?: string } = {}) {
  return html`<svg
    class=${cls}
    viewBox="0 0 24 24"
    width=${size}
    height=${size}
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    stroke-width=${width}
    stroke-linecap="round"
    stroke-linejoin="round"
  >
    ${marks}
  </svg>`;
}

export const paperclipIcon = strokeIcon(
  svg`<path d="m21 11-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6L15 6.6" />`,
);
export const sendIcon = strokeIcon(svg`<path d="M5 12h13M12 5l7 7-7 7" />`, 20, { cls: 'send-icon' });
const cross = svg`<path d="M6 6l12 12M18 6 6 18" />`;
export const crossIcon = (size: number) => strokeIcon(cross, size);
/** An arrow into a tray. */
export const downloadIcon = strokeIcon(svg`<path d="M12 4v11M7 10l5 5 5-5M5 20h14" />`);
