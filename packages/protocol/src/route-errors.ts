/**
 * What each operation of the route table may answer besides success, by type and at runtime, and
 * the whole API as one type map.
 */
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import {
  REST_ROUTES,
  type RouteAuth,
  type RouteBody,
  type RouteKey,
  type RouteMethod,
  type RouteParams,
  type RoutePath,
  type RouteQuery,
  type RouteResponse,
  type RouteSpec,
} from './routes.js';

/** Errors any operation may answer: a bug, or a dependency (the database) being down. */
export const COMMON_ERRORS = ['internal', 'unavailable'] as const satisfies readonly ErrorCode[];
/** What each way of calling can fail with before the operation runs. */
export const AUTH_ERRORS = {
  user: ['unauthorized', 'token_expired', 'origin_not_allowed'],
  // No or an unknown X-Confab-App, a page of another origin, and the sign-in throttle.
  app: ['bad_request', 'not_found', 'origin_not_allowed', 'rate_limited'],
  admin: ['unauthorized', 'forbidden'],
  // No token and no link, a link tampered with or of another file, an expired one; or as `user`.
  link: ['unauthorized', 'token_expired', 'forbidden', 'origin_not_allowed'],
  // No or a wrong app id and secret, or the app has none set.
  inbound: ['unauthorized'],
  none: [],
} as const satisfies Record<RouteAuth, readonly ErrorCode[]>;
/** A body that is not JSON, too large, malformed or invalid (an upload: not multipart, too large, not one file). */
export const BODY_ERRORS = ['bad_request', 'payload_too_large', 'unsupported_media_type', 'validation_failed'] as const;
export const QUERY_ERRORS = ['validation_failed'] as const;
/** A path id that is malformed, or names nothing the caller may see. */
export const PARAM_ERRORS = ['not_found'] as const;

type Own<S> = S extends { errors: readonly (infer E)[] } ? E : never;
type ErrorsOf<K extends RouteKey> =
  | Own<(typeof REST_ROUTES)[K]>
  | (typeof COMMON_ERRORS)[number]
  | (typeof AUTH_ERRORS)[(typeof REST_ROUTES)[K]['auth']][number]
  | ((typeof REST_ROUTES)[K] extends { body: object } ? (typeof BODY_ERRORS)[number] : never)
  | ((typeof REST_ROUTES)[K] extends { query: object } ? (typeof QUERY_ERRORS)[number] : never)
  | (RouteParams<K> extends undefined ? never : (typeof PARAM_ERRORS)[number]);
/** Every error code the operation may answer. */
export type RouteErrors<K extends RouteKey> = ErrorsOf<K>;

/** One operation, every part resolved. */
export interface RouteTypes<K extends RouteKey> {
  method: RouteMethod<K>;
  path: RoutePath<K>;
  params: RouteParams<K>;
  query: RouteQuery<K>;
  body: RouteBody<K>;
  response: RouteResponse<K>;
  errors: RouteErrors<K>;
}
/** The whole REST API as a type map: `RestRoutes['GET /v1/me']['response']` is `UserDto`. */
export type RestRoutes = { [K in RouteKey]: RouteTypes<K> };

/** Every error code `key` may answer, at runtime (same rule as `RouteErrors`), in status order. */
export function routeErrors(key: RouteKey): ErrorCode[] {
  const spec: RouteSpec = REST_ROUTES[key];
  const codes = new Set<ErrorCode>([...AUTH_ERRORS[spec.auth], ...(spec.errors ?? [])]);
  if (spec.body) for (const code of BODY_ERRORS) codes.add(code);
  if (spec.query) for (const code of QUERY_ERRORS) codes.add(code);
  if (key.includes('/:')) for (const code of PARAM_ERRORS) codes.add(code);
  for (const code of COMMON_ERRORS) codes.add(code);
  return [...codes].sort((a, b) => ERROR_STATUS[a] - ERROR_STATUS[b]);
}
