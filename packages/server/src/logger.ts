import { type Logger, pino } from 'pino';

import { prettyDestination, type PrettyTarget } from './pretty-log.js';

export type { Logger };

/** `auto`: pretty on a terminal, JSON lines anywhere else (a pipe, a file, a log collector). */
export type LogFormat = 'pretty' | 'json' | 'auto';

export interface LoggerOptions {
  /** Default `json`. */
  format?: LogFormat;
  /** Where lines go; default stdout. */
  destination?: PrettyTarget & { isTTY?: boolean };
}

/** Whether `format` means pretty lines on `destination`. */
export function isPretty(format: LogFormat, destination: { isTTY?: boolean }): boolean {
  return format === 'pretty' || (format === 'auto' && destination.isTTY === true);
}

/** One line per entry on stdout. Tokens, passwords and message text are never passed to it. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const settings = {
    level,
    base: { service: 'confab' },
    redact: { paths: ['*.authorization', '*.password', '*.token', '*.refreshToken', '*.accessToken', '*.text'], remove: true },
  };
  const target = options.destination ?? process.stdout;
  if (isPretty(options.format ?? 'json', target)) return pino(settings, prettyDestination(target));
  // Through the stream, not pino's own fd writer: that one retries a write to a closed pipe forever
  // when the process exits (a server started by npx whose npx is gone would then never stop).
  return pino(settings, { write: (line: string) => void target.write(line) });
}
