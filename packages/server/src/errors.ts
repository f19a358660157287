import { ERROR_STATUS, type ErrorBody, type ErrorCode, type ErrorDetail } from '@confab/protocol';

/** An error the API answers as itself: HTTP status + `{ error: { code, message, details? } }`. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('validation_failed', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super('not_found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterMs: number,
    message = 'Too many requests, slow down',
    details: Record<string, unknown> = {},
  ) {
    super('rate_limited', message, { retryAfterMs, ...details });
  }
}

/** A dependency (PostgreSQL, Redis) cannot be reached right now: the client should retry shortly. */
export class UnavailableError extends AppError {
  constructor() {
    super('unavailable', 'The service is temporarily unavailable, try again shortly');
  }
}

interface DatabaseError {
  code?: string;
  constraint?: string;
}

/** Pg/PGlite error codes worth an answer of their own; everything else is internal. */
const DB_CODES: Record<string, (err: DatabaseError) => AppError> = {
  '23505': (err) => new ConflictError(`Already exists${err.constraint ? ` (${err.constraint})` : ''}`),
  '23503': () => new AppError('not_found', 'A referenced resource does not exist'),
  '22P02': () => new ValidationError('A value has the wrong format'),
  '22001': () => new ValidationError('A value is too long'),
  // Defence in depth: validation already refuses U+0000, which text and jsonb cannot hold.
  '22021': () => new ValidationError('A value contains a character that cannot be stored (U+0000)'),
  '22P05': () => new ValidationError('A value contains a character that cannot be stored (U+0000)'),
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
};

/** The PostgreSQL error code of a database error, also when Objection wrapped it. */
export function dbErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; nativeError?: { code?: unknown } } | null;
  const code = e?.nativeError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

// Socket errors of a connection to PostgreSQL or Redis (not ECONNABORTED: that is a client's aborted request).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATE class 08 (connection exception) is matched by prefix; these are the server going away or full.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// knex pool acquire timeout; ioredis giving up on a command while disconnected.
const UNAVAILABLE_NAMES = new Set(['KnexTimeoutError', 'MaxRetriesPerRequestError']);
const UNAVAILABLE_MESSAGES = [
  /(^|- )Connection terminated/, // pg (knex prefixes the statement it was running: "ROLLBACK - Connection terminated…")
  /is not queryable/, // pg, a client whose connection broke or closed
  /^timeout exceeded when trying to connect/, // pg
  /^PGlite is closed/,
  /^Connection is closed/, // ioredis
  /^Stream isn't writeable/, // ioredis, offline queue disabled
  /^Command timed out/, // ioredis commandTimeout
];

/** True when `err` (or what it wraps) says PostgreSQL or Redis cannot be reached, rather than refusing the request. */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    status?: unknown;
    nativeError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  // An error with an HTTP status comes from reading the request, not from a dependency.
  if (typeof e.status === 'number') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)))
    return true;
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  const message = e.message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Objection wraps driver errors; pg's connect to several addresses fails with an AggregateError.
  const inner = [e.nativeError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((wrapped) => isUnavailable(wrapped, depth + 1));
}

/**
 * Maps anything thrown to an AppError. Known database and HTTP-parser errors get their own
 * code, an unreachable database or Redis is `unavailable` (503, retryable); the rest becomes
 * `internal` with a generic message (the caller logs the original).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as DatabaseError & { status?: number; expose?: boolean; message?: string; type?: string; nativeError?: DatabaseError };
  if (isUnavailable(err)) return new UnavailableError();
  const dbCode = dbErrorCode(err);
  if (dbCode && DB_CODES[dbCode]) return DB_CODES[dbCode](e.nativeError ?? e);
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
    const code = HTTP_CODES[e.status] ?? 'bad_request';
    const message =
      e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '')
        ? 'The request body is not valid JSON'
        : code === 'payload_too_large'
          ? 'The request body is too large'
          : httpMessage(code);
    return new AppError(code, message);
  }
  return new AppError('internal', 'Something went wrong on our side');
}

/**
 * Maps a failure to read a request body. All of them are the client's doing: bad JSON, a limit,
 * an unknown Content-Encoding (415), or a body that does not inflate as its Content-Encoding says
 * (zlib's errors carry no HTTP status, so they would otherwise be a 500).
 */
export function toBodyError(err: unknown): AppError {
  const appError = toAppError(err);
  if (appError.code === 'unsupported_media_type' && /content-encoding/i.test((err as Error | null)?.message ?? '')) {
    return new AppError('unsupported_media_type', 'Unsupported Content-Encoding: send the body uncompressed or as gzip, deflate or br');
  }
  // A body that cannot be read is the client's doing, even when its connection broke (ECONNRESET).
  if (appError.code !== 'internal' && appError.code !== 'unavailable') return appError;
  return new AppError('bad_request', 'The request body could not be read: is it compressed as its Content-Encoding says?');
}

function httpMessage(code: ErrorCode): string {
  switch (code) {
    case 'unsupported_media_type':
      return 'Unsupported content type';
    case 'not_found':
      return 'Not found';
    default:
      return 'Bad request';
  }
}
