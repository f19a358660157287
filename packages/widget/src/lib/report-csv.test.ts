import type { ReportFiguresDto, SupportReportDto } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { csvField, reportToCsv } from './report-csv.js';

const figures = (opened: number, median: number | null, average: number | null): ReportFiguresDto => ({
  opened,
  resolved: 1,
  firstResponse: { medianSeconds: median, p90Seconds: median, count: median === null ? 0 : 1 },
  resolution: { medianSeconds: 600, p90Seconds: 900, count: 1 },
  csat: { average, count: average === null ? 0 : 2 },
});

const report = (rows: SupportReportDto['rows']): SupportReportDto => ({
  from: '2026-03-02T00:00:00.000Z',
  to: '2026-03-04T00:00:00.000Z',
  timezone: 'UTC',
  groupBy: 'label',
  rows,
  totals: figures(5, 210, 4.33),
});

describe('reportToCsv', () => {
  it('writes the header, a line per row and the totals, with empty fields for figures without samples', () => {
    const csv = reportToCsv(
      report([
        { key: 'a1', name: 'Billing', colour: 'blue', ...figures(2, 90, 4.5) },
        { key: 'b2', name: 'Unused', colour: 'grey', ...figures(0, null, null) },
      ]),
    );
    expect(csv.split('\r\n')).toEqual([
      'key,name,opened,resolved,first_response_median_seconds,first_response_p90_seconds,first_response_count,' +
        'resolution_median_seconds,resolution_p90_seconds,resolution_count,csat_average,csat_count',
      'a1,Billing,2,1,90,90,1,600,900,1,4.5,2',
      'b2,Unused,0,1,,,0,600,900,1,,0',
      'total,total,5,1,210,210,1,600,900,1,4.33,2',
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('Sales, EU')).toBe('"Sales, EU"');
    expect(csvField('The "VIP" desk')).toBe('"The ""VIP"" desk"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    const csv = reportToCsv(report([{ key: 'k', name: 'A, "B"\nC', colour: null, ...figures(1, 60, 5) }]));
    expect(csv.split('\r\n')[1]).toBe('k,"A, ""B""\nC",1,1,60,60,1,600,900,1,5,2');
  });

  it('keeps names from running as spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csvField('+1 555')).toBe("'+1 555");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tTab')).toBe("'\tTab");
    // Numbers are figures, never formulas; a name with an inner = is harmless.
    expect(csvField(-1)).toBe('-1');
    expect(csvField('a=b')).toBe('a=b');
  });
});
