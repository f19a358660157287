const formats = new Map<string, Intl.NumberFormat>();

function unit(locale: string, name: 'second' | 'minute' | 'hour' | 'day', value: number): string {
  const id = `${locale}:${name}`;
  let format = formats.get(id);
  if (!format) formats.set(id, (format = new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short' })));
  return format.format(value);
}

/**
 * A duration as people say it, at most two units and no finer than it matters: "45 sec", "4 min",
 * "1 hr 20 min", "2 days 3 hr" (each unit in the locale's words, through Intl).
 */
export function formatDuration(seconds: number, locale = 'en'): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return unit(locale, 'second', s);
  const minutes = Math.round(s / 60);
  if (minutes < 60) return unit(locale, 'minute', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest ? `${unit(locale, 'hour', hours)} ${unit(locale, 'minute', rest)}` : unit(locale, 'hour', hours);
  }
  const totalHours = Math.round(minutes / 60);
  const days = Math.floor(totalHours / 24);
  const rest = totalHours % 24;
  return rest ? `${unit(locale, 'day', days)} ${unit(locale, 'hour', rest)}` : unit(locale, 'day', days);
}
