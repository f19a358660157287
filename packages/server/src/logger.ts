import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON lines on stdout. Tokens, passwords and message text are never passed to it. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'confab' },
    redact: { paths: ['*.authorization', '*.password', '*.token', '*.refreshToken', '*.accessToken', '*.text'], remove: true },
  });
}
