import { ERROR_STATUS, type ErrorBody, type ErrorCode, isErrorCode, RETRYABLE_CODES } from '@confab/protocol';

/**
 * Every failure the SDK reports: the server's `{ error: { code, message, details } }` shape,
 * rehydrated, plus whether retrying the same call may succeed.
 *
 * @example
 * try { await room.send('hi'); } catch (e) { if (e instanceof ChatError && e.code === 'rate_limited') wait(e.details); }
 */
export class ChatError extends Error {
  override name = 'ChatError';
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = ERROR_STATUS[code],
    readonly details?: ErrorBody['details'],
  ) {
    super(message);
    this.retryable = RETRYABLE_CODES.includes(code);
  }

  /** Builds a ChatError from a reply body, whatever it holds. */
  static fromResponse(status: number, body: unknown): ChatError {
    const error = (body as { error?: Partial<ErrorBody> } | null)?.error;
    if (error && isErrorCode(error.code)) {
      return new ChatError(error.code, error.message ?? error.code, status || ERROR_STATUS[error.code], error.details);
    }
    return new ChatError(codeOfStatus(status), `Unexpected reply (HTTP ${status})`, status);
  }
}

/** For replies without Confab's error body (a proxy's 429 or 503, say). */
function codeOfStatus(status: number): ErrorCode {
  const known: Record<number, ErrorCode> = {
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    416: 'range_not_satisfiable',
    422: 'validation_failed',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return known[status] ?? (status >= 500 || status === 0 ? 'internal' : 'bad_request');
}
