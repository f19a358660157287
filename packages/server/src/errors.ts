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
  constructor(readonly retryAfterMs: number) {
    super('rate_limited', 'Too many requests, slow down', { retryAfterMs });
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

/**
 * Maps anything thrown to an AppError. Known database and HTTP-parser errors get their own
 * code; the rest becomes `internal` with a generic message (the caller logs the original).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as DatabaseError & { status?: number; expose?: boolean; message?: string; type?: string; nativeError?: DatabaseError };
  const dbCode = dbErrorCode(err);
  if (dbCode && DB_CODES[dbCode]) return DB_CODES[dbCode](e.nativeError ?? e);
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
    const code = HTTP_CODES[e.status] ?? 'bad_request';
    const message = e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '')
      ? 'The request body is not valid JSON'
      : code === 'payload_too_large' ? 'The request body is too large' : httpMessage(code);
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
  if (appError.code !== 'internal') return appError;
  return new AppError('bad_request', 'The request body could not be read: is it compressed as its Content-Encoding says?');
}

function httpMessage(code: ErrorCode): string {
  switch (code) {
    case 'unsupported_media_type': return 'Unsupported content type';
    case 'not_found': return 'Not found';
    default: return 'Bad request';
  }
}
