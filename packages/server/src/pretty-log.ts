import type { DestinationStream } from 'pino';

/** Where pretty lines go: a terminal, usually (colors only when it has them). */
export interface PrettyTarget {
  write(text: string): unknown;
  hasColors?: () => boolean;
}

const LEVELS: Record<number, { label: string; color: number }> = {
  10: { label: 'TRACE', color: 90 },
  20: { label: 'DEBUG', color: 34 },
  30: { label: 'INFO ', color: 32 },
  40: { label: 'WARN ', color: 33 },
  50: { label: 'ERROR', color: 31 },
  60: { label: 'FATAL', color: 35 },
};

// pino's own fields and the ones a request or socket line already shows in its head.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'err']);
const REQUEST_HEAD = new Set(['method', 'route', 'path', 'status', 'ms', 'reqId']);
const SOCKET_HEAD = new Set(['event', 'outcome', 'ms', 'sid']);

type Paint = (code: number, text: string) => string;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time, HH:MM:SS.mmm. */
export function clock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const duration = (ms: unknown) => (typeof ms === 'number' ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : '');

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

function context(line: Record<string, unknown>, skip: Set<string>): string {
  const pairs = Object.entries(line)
    .filter(([key, v]) => v !== undefined && !HIDDEN.has(key) && !skip.has(key))
    .map(([key, v]) => `${key}=${value(v)}`);
  return pairs.length ? `  ${pairs.join(' ')}` : '';
}

function head(line: Record<string, unknown>, paint: Paint): { text: string; skip: Set<string> } {
  const { msg, method, route, path, status, ms, event, outcome } = line;
  if (msg === 'request' && typeof method === 'string' && typeof route === 'string') {
    const code = typeof status === 'number' ? status : 0;
    const shown = paint(code >= 500 ? 31 : code >= 400 ? 33 : 32, String(status));
    const where = route === 'unmatched' && typeof path === 'string' ? path : route;
    const skip = new Set(REQUEST_HEAD);
    // The request id matters when something broke: it is what the JSON logs are searched by.
    if (code >= 500) skip.delete('reqId');
    return { text: `${method} ${where} ${shown} ${duration(ms)}`, skip };
  }
  if (msg === 'socket event' && typeof event === 'string') {
    const shown = outcome === 'ok' ? String(outcome) : paint(33, String(outcome));
    return { text: `socket ${event} ${shown} ${duration(ms)}`, skip: SOCKET_HEAD };
  }
  return { text: typeof msg === 'string' ? msg : '', skip: new Set() };
}

function errorLines(err: unknown): string {
  if (!err || typeof err !== 'object') return err === undefined ? '' : `  err=${value(err)}`;
  const { stack, message } = err as { stack?: unknown; message?: unknown };
  const text = typeof stack === 'string' ? stack : typeof message === 'string' ? message : JSON.stringify(err);
  return `\n${text
    .split('\n')
    .map((row) => `    ${row}`)
    .join('\n')}`;
}

/**
 * One pino JSON line as one readable line: `12:04:05.123 INFO  GET /v1/rooms/:id/messages 200 12 ms  user=…`.
 * Text that is not pino JSON passes through unchanged.
 */
export function formatLine(json: string, color = false): string {
  let line: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return json;
    line = parsed as Record<string, unknown>;
  } catch {
    return json;
  }
  const paint: Paint = color ? (code, text) => `\u001b[${code}m${text}\u001b[39m` : (_code, text) => text;
  const level = LEVELS[typeof line.level === 'number' ? line.level : 30] ?? { label: String(line.level), color: 39 };
  const time = typeof line.time === 'number' ? clock(line.time) : clock(Date.now());
  const { text, skip } = head(line, paint);
  const dimTime = color ? `\u001b[2m${time}\u001b[22m` : time;
  return `${dimTime} ${paint(level.color, level.label)} ${text}${context(line, skip)}${errorLines(line.err)}\n`;
}

/** A pino destination that writes each line pretty, in-process (no worker thread). */
export function prettyDestination(target: PrettyTarget): DestinationStream {
  const color = target.hasColors?.() ?? false;
  return { write: (json: string) => void target.write(formatLine(json.trimEnd(), color)) };
}
