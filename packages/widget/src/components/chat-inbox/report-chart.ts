import type { SupportReportRowDto } from '@confab/sdk';
import { css, html, svg } from 'lit';

// The Reports page's chart: opened and resolved conversations per day as paired bars, hand-drawn
// SVG at the box's own pixel width (so its text stays legible on a phone), with a text summary.

const HEIGHT = 180;
const PAD = { top: 12, right: 6, bottom: 26, left: 34 };
// The narrowest room a day's label needs before labels thin out.
const LABEL_ROOM = 46;

/** The top of the value axis: a round, even number at or above `max` (so its half is whole too). */
export function axisTop(max: number): number {
  if (max <= 2) return 2;
  const unit = max <= 10 ? 2 : 2 * 10 ** (Math.floor(Math.log10(max)) - 1);
  return Math.ceil(max / unit) * unit;
}

export interface ChartText {
  /** The accessible summary of the whole chart. */
  summary: string;
  opened: string;
  resolved: string;
  /** A day's short label, e.g. "Mar 2". */
  day(key: string): string;
  number(n: number): string;
}

/** Opened vs resolved bars, one pair per day row, `width` pixels wide. */
export function renderReportChart(rows: readonly SupportReportRowDto[], width: number, text: ChartText) {
  const plotW = Math.max(40, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = axisTop(Math.max(0, ...rows.map((r) => Math.max(r.opened, r.resolved))));
  const slot = plotW / Math.max(1, rows.length);
  const bar = Math.max(2, Math.min(16, slot * 0.34));
  const every = Math.max(1, Math.ceil(LABEL_ROOM / slot));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top];
  return html`<div class="legend" aria-hidden="true">
      <span><i class="swatch opened"></i>${text.opened}</span>
      <span><i class="swatch resolved"></i>${text.resolved}</span>
    </div>
    <svg
      class="chart"
      part="report-chart"
      role="img"
      aria-label=${text.summary}
      width=${width}
      height=${HEIGHT}
      viewBox="0 0 ${width} ${HEIGHT}"
    >
      ${ticks.map(
        (t) =>
          svg`<line class="grid" x1=${PAD.left} x2=${PAD.left + plotW} y1=${y(t)} y2=${y(t)}></line>
            <text class="axis" x=${PAD.left - 6} y=${y(t)} dy="0.32em" text-anchor="end">${text.number(t)}</text>`,
      )}
      ${rows.map((row, i) => {
        const x = PAD.left + slot * i + slot / 2;
        const pair = (value: number, kind: 'opened' | 'resolved', dx: number) =>
          svg`<rect class="bar ${kind}" x=${x + dx} y=${y(value)} width=${bar} height=${Math.max(0, y(0) - y(value))} rx="2">
            <title>${text.day(row.key)}: ${text.number(value)} ${kind === 'opened' ? text.opened : text.resolved}</title>
          </rect>`;
        return svg`${pair(row.opened, 'opened', -bar - 1)}${pair(row.resolved, 'resolved', 1)}
          ${i % every === 0 ? svg`<text class="axis" x=${x} y=${HEIGHT - 8} text-anchor="middle">${text.day(row.key)}</text>` : ''}`;
      })}
    </svg>`;
}

export const chartStyles = css`
  .legend {
    display: flex;
    gap: 16px;
    margin-block-end: 6px;
    color: var(--chat-muted);
    font-size: 13px;
  }
  .legend span {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  .swatch {
    display: inline-block;
    inline-size: 10px;
    block-size: 10px;
    border-radius: 2px;
  }
  /* Not the inbox's icon look (stroked outlines): filled bars, plain text. */
  .chart,
  .chart * {
    stroke: none;
  }
  .chart {
    display: block;
    overflow: visible;
  }
  .opened {
    fill: var(--chat-accent);
    background: var(--chat-accent);
  }
  .resolved {
    fill: var(--chat-online);
    background: var(--chat-online);
  }
  .chart .grid {
    stroke: var(--chat-border);
    stroke-width: 1;
  }
  .axis {
    fill: var(--chat-muted);
    font-size: 11px;
  }
`;
