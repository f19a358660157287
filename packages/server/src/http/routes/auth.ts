import type Koa from 'koa';

import { exchangeSchema, guestSchema, loginSchema, logoutSchema, refreshSchema, registerSchema } from '../../services/auth/schemas.js';
import { clientHash } from '../../services/auth/tokens.js';
import { assertOriginAllowedFor } from '../middleware/origin.js';
import { route } from '../route.js';

const tag = 'auth';
// Per address and username, never per username alone: strangers failing for a name must not lock its owner out.
const byLogin = (ctx: Koa.Context, body: Record<string, unknown>) =>
  typeof body.username === 'string' ? [`auth:login:ip-user:${ctx.ip}:${body.username.trim().toLowerCase()}`] : [];

const SIGN_IN =
  'Calls name the app with `X-Confab-App`; a page of another origin gets `origin_not_allowed`, and sign-ins are throttled by ' +
  '`AUTH_RATE` per IP (`rate_limited`, with `retryAfterMs`).';
const MERGE = "Sent with a guest's access token, the guest's conversations move to the account.";

export const authRoutes = [
  route('POST /v1/auth/register', {
    tag,
    summary: 'Create an account with username and password; signs in',
    description:
      'Creates a member of the app and answers a session (access and refresh token). The password must not be common, nor ' +
      `the username or the email's name (\`validation_failed\`); a taken username or email is \`conflict\`. ${MERGE} ${SIGN_IN}`,
    body: registerSchema,
    handler: async ({ services, app, actor, input }) => services.auth.register(app, input.body, actor),
  }),
  route('POST /v1/auth/login', {
    tag,
    summary: 'Sign in with username (or email) and password',
    description:
      'Answers a new session. A wrong username or password is `unauthorized` with the same message either way, and ' +
      `failures are throttled per IP and per IP and username, so strangers cannot lock an owner out. ${MERGE} ${SIGN_IN}`,
    body: loginSchema,
    throttle: byLogin,
    handler: async ({ services, app, actor, input }) => services.auth.login(app, input.body, actor),
  }),
  route('POST /v1/auth/guest', {
    tag,
    summary: 'Start an anonymous visitor session',
    description:
      'Creates a guest user (a website visitor) with what they chose to tell (name, email, metadata) and answers its ' +
      `session. Guests may start support conversations and write in them, nothing else. ${SIGN_IN}`,
    body: guestSchema,
    handler: async ({ services, app, input }) => services.auth.guest(app, input.body),
  }),
  route('POST /v1/auth/exchange', {
    tag,
    summary: "Exchange a token signed by the host site's backend for a session",
    description:
      "Single sign-on: the host site's backend signs `{ sub, name?, email?, ... }` with the app secret (HS256, short " +
      'expiry, at most 24 h) and the browser exchanges it here; the user is created or updated from its claims. A bad ' +
      `signature or claim is \`unauthorized\`, an expired token \`token_expired\`. ${MERGE} ${SIGN_IN}`,
    body: exchangeSchema,
    handler: async ({ services, app, actor, input }) => services.auth.exchange(app, input.body.token, actor),
  }),
  route('POST /v1/auth/refresh', {
    tag,
    summary: 'Rotate a refresh token; reusing an old one revokes the whole session',
    description:
      'Answers a new session and retires the refresh token sent. A token already used (except a retry within a short ' +
      'grace period, from the same client) revokes every token of its session and answers `unauthorized`, as does an ' +
      "expired one. No auth header: the origin is checked against the token's app (`origin_not_allowed`).",
    body: refreshSchema,
    handler: async ({ services, input, koa }) =>
      services.auth.refresh(input.body.refreshToken, {
        client: clientHash(koa.ip, koa.get('user-agent')),
        // The route names no app: the origin is checked against the app of the token's user.
        assertApp: (appId) => assertOriginAllowedFor(koa, appId),
      }),
  }),
  route('POST /v1/auth/logout', {
    tag,
    summary: 'End the session: its refresh and access tokens stop working',
    description:
      "Revokes the access token's session, and the session of the refresh token given if it is another of the caller's: " +
      'their refresh and access tokens stop working at once, on every node, and their sockets are disconnected. Answers 204.',
    body: logoutSchema,
    handler: async ({ services, actor, input }) => services.auth.logout(actor, input.body.refreshToken),
  }),
];
