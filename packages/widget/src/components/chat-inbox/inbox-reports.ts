import type {
  ChatClient,
  ReportDurationDto,
  ReportFiguresDto,
  SupportReportDto,
  SupportReportGroup,
  SupportReportRowDto,
} from '@confab/sdk';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import type { I18n } from '../../i18n/index.js';
import { addDays, localToday } from '../../lib/calendar-day.js';
import { asChatError } from '../../lib/chat-error.js';
import { formatDuration } from '../../lib/duration.js';
import { reportToCsv } from '../../lib/report-csv.js';
import { baseStyles } from '../theme.styles.js';
import { controlsStyles } from './inbox-controls.styles.js';
import { sectionStyles } from './inbox-pages.js';
import { labelStyles, renderLabel } from './label-chips.js';
import { chartStyles, renderReportChart } from './report-chart.js';
import { reportStyles } from './report-styles.js';

type Range = 'last7' | 'last30' | 'custom';
/** While a new report loads, the last one stays on screen (marked busy) rather than blinking away. */
type Load =
  { kind: 'loading'; last: SupportReportDto | null } | { kind: 'ready'; report: SupportReportDto } | { kind: 'error'; message: string };

const GROUP_LABEL = { day: 'reportByDay', agent: 'reportByAgent', label: 'reportByLabel' } as const;
const DASH = '–';

/**
 * The inbox's Reports page: pick a period (the last 7 or 30 days, or dates) and a grouping (day,
 * agent, label); shows the period's tiles, a chart of opened vs resolved per day, the rows as a
 * table and a CSV download of them. Days are the agent's own (the browser's time zone).
 * @csspart report-chart - the SVG chart
 */
export class InboxReports extends LitElement {
  static override styles = [baseStyles, controlsStyles, sectionStyles, labelStyles, chartStyles, reportStyles];

  @property({ attribute: false }) client: ChatClient | null = null;
  @property({ attribute: false }) i18n!: I18n;

  @state() private range: Range = 'last7';
  @state() private groupBy: SupportReportGroup = 'day';
  @state() private customFrom = addDays(localToday(), -6);
  @state() private customTo = localToday();
  @state() private load: Load = { kind: 'loading', last: null };
  @state() private chartWidth = 0;

  private readonly zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  private requests = 0;
  private resize: ResizeObserver | null = null;
  private observed: Element | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.observed = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const inputs = ['client', 'range', 'groupBy', 'customFrom', 'customTo'] as const;
    if (inputs.some((k) => changed.has(k as keyof InboxReports))) void this.fetch();
  }

  protected override updated(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.chart-box');
    if (!box || box === this.observed) return;
    // The chart is drawn at its box's width: text in it stays 11px on any screen.
    this.resize ??= new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width && width !== this.chartWidth) this.chartWidth = width;
    });
    this.resize.disconnect();
    this.resize.observe(box);
    this.observed = box;
  }

  /** The period as the API wants it: dates, `to` exclusive, in the browser's zone. */
  private period(): { from: string; to: string } | null {
    const today = localToday();
    if (this.range === 'custom') return this.customFrom <= this.customTo ? { from: this.customFrom, to: addDays(this.customTo, 1) } : null;
    const days = this.range === 'last7' ? 7 : 30;
    return { from: addDays(today, 1 - days), to: addDays(today, 1) };
  }

  private async fetch(): Promise<void> {
    const period = this.period();
    if (!this.client || !period) return;
    const request = ++this.requests;
    this.load = { kind: 'loading', last: this.shown() };
    try {
      const report = await this.client.support.reports({ ...period, groupBy: this.groupBy, timezone: this.zone });
      if (request === this.requests) this.load = { kind: 'ready', report };
    } catch (err) {
      if (request === this.requests) this.load = { kind: 'error', message: asChatError(err).message };
    }
  }

  private download(report: SupportReportDto): void {
    const url = URL.createObjectURL(new Blob([reportToCsv(report)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `confab-report-${report.groupBy}-${report.from.slice(0, 10)}-${addDays(report.to.slice(0, 10), -1)}.csv`;
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  protected override render() {
    const { t } = this.i18n;
    const period = this.period();
    return html`<section aria-labelledby="reports-title">
      <h2 id="reports-title">${t('pageReports')}</h2>
      <p class="intro">${t('reportHelp')}</p>
      <div class="controls">
        <label class="control">
          <span>${t('reportPeriod')}</span>
          <select class="range" .value=${this.range} @change=${(e: Event) => (this.range = (e.target as HTMLSelectElement).value as Range)}>
            <option value="last7" ?selected=${this.range === 'last7'}>${t('reportLast7')}</option>
            <option value="last30" ?selected=${this.range === 'last30'}>${t('reportLast30')}</option>
            <option value="custom" ?selected=${this.range === 'custom'}>${t('reportCustom')}</option>
          </select>
        </label>
        ${
          this.range === 'custom'
            ? html`<label class="control">
                  <span>${t('reportFrom')}</span>
                  <input class="field" type="date" name="from" .value=${this.customFrom} max=${this.customTo} @change=${this.setDate} />
                </label>
                <label class="control">
                  <span>${t('reportTo')}</span>
                  <input class="field" type="date" name="to" .value=${this.customTo} min=${this.customFrom} @change=${this.setDate} />
                </label>`
            : nothing
        }
        <label class="control">
          <span>${t('reportGroupBy')}</span>
          <select
            class="group"
            .value=${this.groupBy}
            @change=${(e: Event) => (this.groupBy = (e.target as HTMLSelectElement).value as SupportReportGroup)}
          >
            ${(['day', 'agent', 'label'] as const).map(
              (g) => html`<option value=${g} ?selected=${this.groupBy === g}>${t(GROUP_LABEL[g])}</option>`,
            )}
          </select>
        </label>
        <button
          class="btn download"
          ?disabled=${this.load.kind !== 'ready'}
          @click=${() => this.load.kind === 'ready' && this.download(this.load.report)}
        >
          ${t('reportDownload')}
        </button>
      </div>
      ${period ? this.renderBody() : html`<p class="error" role="alert">${t('reportBadRange')}</p>`}
    </section>`;
  }

  private setDate = (e: Event) => {
    const input = e.target as HTMLInputElement;
    if (!input.value) return;
    if (input.name === 'from') this.customFrom = input.value;
    else this.customTo = input.value;
  };

  private renderBody() {
    const { t } = this.i18n;
    if (this.load.kind === 'loading' && !this.load.last) return html`<p class="status" role="status">${t('reportLoading')}</p>`;
    if (this.load.kind === 'error') {
      return html`<p class="error" role="alert">
        ${t('reportFailed', { message: this.load.message })}
        <button class="btn link" @click=${() => void this.fetch()}>${t('reportRetry')}</button>
      </p>`;
    }
    const report = this.shown()!;
    return html`<div class="report" aria-busy=${this.load.kind === 'loading' ? 'true' : 'false'}>
      ${this.renderTiles(report.totals)} ${report.groupBy === 'day' ? this.renderChart(report) : nothing} ${this.renderTable(report)}
    </div>`;
  }

  /** The report on screen: the one loaded, or the last one while the next loads. */
  private shown(): SupportReportDto | null {
    return this.load.kind === 'ready' ? this.load.report : this.load.kind === 'loading' ? this.load.last : null;
  }

  private renderTiles(f: ReportFiguresDto) {
    const { t } = this.i18n;
    const tile = (label: string, value: string, sub: string) =>
      html`<li class="tile">
        <span class="tile-label">${label}</span><span class="tile-value">${value}</span><span class="tile-sub">${sub}</span>
      </li>`;
    return html`<ul class="tiles">
      ${tile(t('reportOpened'), this.number(f.opened), '')} ${tile(t('reportResolved'), this.number(f.resolved), '')}
      ${tile(t('reportFirstResponse'), this.duration(f.firstResponse.medianSeconds), this.p90(f.firstResponse))}
      ${tile(t('reportResolution'), this.duration(f.resolution.medianSeconds), this.p90(f.resolution))}
      ${tile(t('reportCsat'), this.average(f.csat.average), this.ratings(f.csat.count))}
    </ul>`;
  }

  private renderChart(report: SupportReportDto) {
    const { t } = this.i18n;
    const first = report.rows[0]?.key ?? '';
    const last = report.rows.at(-1)?.key ?? '';
    const summary = t('reportChart', {
      from: this.day(first),
      to: this.day(last),
      opened: report.totals.opened,
      resolved: report.totals.resolved,
    });
    const text = {
      summary,
      opened: t('reportOpened'),
      resolved: t('reportResolved'),
      day: (key: string) => this.day(key),
      number: (n: number) => this.number(n),
    };
    return html`<figure class="chart-box">${this.chartWidth ? renderReportChart(report.rows, this.chartWidth, text) : nothing}</figure>`;
  }

  private renderTable(report: SupportReportDto) {
    const { t } = this.i18n;
    const group = t(GROUP_LABEL[report.groupBy]);
    const cells = (f: ReportFiguresDto) =>
      html`<td>${this.number(f.opened)}</td>
        <td>${this.number(f.resolved)}</td>
        <td>${this.duration(f.firstResponse.medianSeconds)}<span class="sub">${this.p90(f.firstResponse)}</span></td>
        <td>${this.duration(f.resolution.medianSeconds)}<span class="sub">${this.p90(f.resolution)}</span></td>
        <td>${this.average(f.csat.average)}<span class="sub">${this.ratings(f.csat.count)}</span></td>`;
    return html`<div class="table-box" tabindex="0" role="region" aria-labelledby="report-caption">
      <table>
        <caption id="report-caption" class="sr-only">
          ${t('reportTable', { group: group.toLocaleLowerCase(this.i18n.locale) })}
        </caption>
        <thead>
          <tr>
            <th scope="col">${group}</th>
            <th scope="col">${t('reportOpened')}</th>
            <th scope="col">${t('reportResolved')}</th>
            <th scope="col">${t('reportFirstResponse')}</th>
            <th scope="col">${t('reportResolution')}</th>
            <th scope="col">${t('reportCsat')}</th>
          </tr>
        </thead>
        <tbody>
          ${
            report.rows.length
              ? report.rows.map(
                  (row) =>
                    html`<tr data-key=${row.key}>
                      <th scope="row">${this.rowName(row)}</th>
                      ${cells(row)}
                    </tr>`,
                )
              : html`<tr>
                  <td class="empty" colspan="6">${t('reportNoRows')}</td>
                </tr>`
          }
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">${t('reportTotal')}</th>
            ${cells(report.totals)}
          </tr>
        </tfoot>
      </table>
    </div>`;
  }

  private rowName(row: SupportReportRowDto) {
    if (row.colour) return renderLabel({ id: row.key, name: row.name, colour: row.colour });
    return this.shown()?.groupBy === 'day' ? this.day(row.key) : row.name;
  }

  private number(n: number): string {
    return new Intl.NumberFormat(this.i18n.locale).format(n);
  }

  private duration(seconds: number | null): string {
    return seconds === null ? DASH : formatDuration(seconds, this.i18n.locale);
  }

  private p90(d: ReportDurationDto): string {
    return d.p90Seconds === null ? '' : this.i18n.t('reportP90', { value: formatDuration(d.p90Seconds, this.i18n.locale) });
  }

  private average(value: number | null): string {
    return value === null
      ? DASH
      : new Intl.NumberFormat(this.i18n.locale, { minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(value);
  }

  private ratings(count: number): string {
    if (!count) return '';
    return count === 1 ? this.i18n.t('reportRatingsOne') : this.i18n.t('reportRatings', { count: this.number(count) });
  }

  /** `YYYY-MM-DD` as a short local date ("Mon, Mar 2"): the key is a calendar day, read in UTC. */
  private day(key: string): string {
    if (!key) return '';
    return new Intl.DateTimeFormat(this.i18n.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${key}T00:00:00Z`),
    );
  }
}
