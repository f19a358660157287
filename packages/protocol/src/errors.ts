/** Every error code the API and the socket acks can answer, with its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  validation_failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `body.password`. */
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** The error shape of every failed REST call (`{ error }`) and every failed socket ack. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[] | Record<string, unknown>;
}

export interface ErrorResponse {
  error: ErrorBody;
}

/** Codes a client may retry as-is (after waiting, for `rate_limited`). */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['rate_limited', 'internal', 'unavailable'];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}
