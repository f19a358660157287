/** One row of a scenario's table: Confab's figure, the baseline's, and Confab ÷ baseline. */
export interface Row {
  metric: string;
  confab: number | string;
  baseline: number | string;
  /** Unit shown after the figures. */
  unit?: string;
  /** `higher`: bigger is better (ratio shown as is); `lower`: smaller is better. */
  better?: 'higher' | 'lower';
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What the baseline column is. */
  baseline: string;
  rows: Row[];
  /** The target (docs/limits-and-targets.md) and whether this run met it. */
  target: { text: string; met: boolean | null };
  notes: string[];
  /** Everything measured, for the JSON file. */
  raw: unknown;
}

const fmt = (value: number | string) => {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
};

export function ratio(row: Row): string {
  if (typeof row.confab !== 'number' || typeof row.baseline !== 'number' || !row.baseline || !Number.isFinite(row.confab)) return '';
  return `${(row.confab / row.baseline).toFixed(2)}×`;
}

/** A Markdown table (also readable in a terminal). */
export function renderTable(result: ScenarioResult): string {
  const header = ['metric', 'Confab', result.baseline, 'ratio'];
  const lines = result.rows.map((row) => {
    const unit = row.unit ? ` ${row.unit}` : '';
    return [row.metric, `${fmt(row.confab)}${unit}`, `${fmt(row.baseline)}${typeof row.baseline === 'number' ? unit : ''}`, ratio(row)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const verdict = result.target.met === null ? 'not judged' : result.target.met ? 'met' : 'MISSED';
  return [
    `### ${result.id} ${result.title}`,
    '',
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...lines.map(line),
    '',
    `Target: ${result.target.text} → **${verdict}**`,
    ...result.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
