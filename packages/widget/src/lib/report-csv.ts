import type { ReportFiguresDto, SupportReportDto } from '@confab/sdk';

/** The columns of a report's CSV: fixed machine names (not translated), so scripts can read any export. */
export const REPORT_CSV_COLUMNS = [
  'key',
  'name',
  'opened',
  'resolved',
  'first_response_median_seconds',
  'first_response_p90_seconds',
  'first_response_count',
  'resolution_median_seconds',
  'resolution_p90_seconds',
  'resolution_count',
  'csat_average',
  'csat_count',
] as const;

type Cell = string | number | null;

/**
 * One CSV field: quoted when it holds a quote, comma or line break (quotes doubled, RFC 4180); text
 * that a spreadsheet would run as a formula (starting = + - @, tab or CR) gets a leading apostrophe.
 */
export function csvField(value: Cell): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const figures = (f: ReportFiguresDto): Cell[] => [
  f.opened,
  f.resolved,
  f.firstResponse.medianSeconds,
  f.firstResponse.p90Seconds,
  f.firstResponse.count,
  f.resolution.medianSeconds,
  f.resolution.p90Seconds,
  f.resolution.count,
  f.csat.average,
  f.csat.count,
];

/**
 * The report as CSV: a header, one line per row, then `total` (key and name) for the whole period.
 * Empty fields are figures without samples. CRLF line ends, as spreadsheets expect.
 * @example const blob = new Blob([reportToCsv(report)], { type: 'text/csv' });
 */
export function reportToCsv(report: SupportReportDto): string {
  const lines: Cell[][] = [
    [...REPORT_CSV_COLUMNS],
    ...report.rows.map((row) => [row.key, row.name, ...figures(row)]),
    ['total', 'total', ...figures(report.totals)],
  ];
  return lines.map((line) => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}
