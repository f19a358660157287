/**
 * Byte counts as people read them: "23 B", "4 KB", "1.2 MB" (1024-based, as file managers show);
 * `oneDecimal`: a decimal from 10 up too ("12.5 MB"), where amounts are compared (storage use).
 */
export function formatBytes(bytes: number, locale?: string, oneDecimal = false): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || (value >= 10 && !oneDecimal) ? 0 : 1;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
  return `${number} ${units[unit]}`;
}
