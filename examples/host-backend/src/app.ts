import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

import Router from '@koa/router';
import Koa from 'koa';
import { koaBody } from 'koa-body';

import { signConfabToken } from './confab-token.js';
import { contentSecurityPolicy, renderPage, renderSupport } from './page.js';
import { createSessions, type Session, SESSION_COOKIE, SESSION_TTL_MS } from './session.js';
import { createUserStore, type HostUser, type UserStore } from './users.js';

export interface HostBackendOptions {
  /** The Confab server's origin, e.g. `http://localhost:3000`. */
  confabUrl: string;
  appId: string;
  appSecret: string;
  /** Signs the session cookie. */
  sessionSecret: string;
  /** The site's accounts (default: the two demo users). */
  users?: UserStore;
}

export interface HostBackend {
  koa: Koa;
  /** Not listening: call `http.listen(port)`. */
  http: Server;
}

interface State {
  session: Session | null;
  user: HostUser | null;
}

const asset = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8');
const STATIC: Record<string, { type: string; body: string }> = {
  'page.js': { type: 'text/javascript; charset=utf-8', body: asset('page.js') },
  'page.css': { type: 'text/css; charset=utf-8', body: asset('page.css') },
};

/**
 * The site owner's own backend: its sign-in, its session cookie, and `GET /confab-token`, which
 * vouches for the signed-in user to Confab by signing a token with the app secret.
 */
export function createHostBackend(options: HostBackendOptions): HostBackend {
  const confabUrl = options.confabUrl.replace(/\/+$/, '');
  const app = { id: options.appId, secret: options.appSecret };
  const users = options.users ?? createUserStore();
  const sessions = createSessions(options.sessionSecret);
  const csp = contentSecurityPolicy(confabUrl);

  const koa = new Koa<State>();
  const router = new Router<State>();

  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    // Another site must not post our forms (login CSRF); SameSite=Lax covers the cookie, this the login itself.
    const origin = ctx.get('Origin');
    // (Koa 3's ctx.origin is the Origin header, not our own origin.)
    if (ctx.method === 'POST' && origin && origin !== `${ctx.protocol}://${ctx.host}`) {
      ctx.status = 403;
      ctx.body = { error: 'cross-site request refused' };
      return;
    }
    ctx.state.session = sessions.read(ctx.cookies.get(SESSION_COOKIE, { signed: false }));
    ctx.state.user = ctx.state.session ? users.byId(ctx.state.session.userId) : null;
    await next();
  });
  koa.use(koaBody({ urlencoded: true, json: true, multipart: false, text: false, formLimit: '8kb', jsonLimit: '8kb' }));

  const wantsJson = (ctx: Koa.Context) => ctx.accepts('html', 'json') === 'json';

  const html = (ctx: Koa.Context, body: string) => {
    ctx.set('Content-Security-Policy', csp);
    // Pages carry a live token for their user: no cache may keep them.
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = body;
  };

  const page = (ctx: Koa.ParameterizedContext<State>, loginFailed = false) => {
    const user = ctx.state.user;
    // Agents answer in the inbox; Confab refuses to let them start conversations as visitors.
    const confabToken = user && user.role !== 'agent' ? signConfabToken(user, app).token : null;
    html(ctx, renderPage({ confabUrl, appId: app.id, user, confabToken, loginFailed }));
  };

  router.get('/', (ctx) => page(ctx));

  router.get('/support', (ctx) => {
    const user = ctx.state.user;
    if (!user) return ctx.redirect('/');
    if (user.role !== 'agent') {
      ctx.status = 403;
      ctx.body = 'Only support agents may open the inbox';
      return;
    }
    html(ctx, renderSupport({ confabUrl, appId: app.id, user, confabToken: signConfabToken(user, app).token }));
  });

  router.get('/static/:file', (ctx) => {
    const { file: name } = ctx.params;
    const file = name === undefined ? undefined : STATIC[name];
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = file.body;
  });

  // No icon in this example; answering keeps browsers' consoles free of a 404.
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });

  router.post('/login', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const user = username && password ? await users.authenticate(username, password) : null;
    if (!user) {
      if (wantsJson(ctx)) {
        ctx.status = 401;
        ctx.body = { error: 'Wrong username or password' };
      } else {
        page(ctx, true);
        ctx.status = 401;
      }
      return;
    }
    const { cookie } = sessions.issue(user.id);
    ctx.cookies.set(SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: SESSION_TTL_MS, signed: false });
    if (wantsJson(ctx)) ctx.body = { user: publicUser(user) };
    else ctx.redirect('/');
  });

  router.post('/logout', (ctx) => {
    if (ctx.state.session) sessions.revoke(ctx.state.session);
    ctx.cookies.set(SESSION_COOKIE, null, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false });
    if (wantsJson(ctx)) ctx.status = 204;
    else ctx.redirect('/');
  });

  router.get('/me', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (!ctx.state.user) return unauthorized(ctx);
    ctx.body = { user: publicUser(ctx.state.user) };
  });

  // What the page's script (or an app's `connectUser(() => …)`) calls to get a fresh token.
  router.get('/confab-token', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (!ctx.state.user) return unauthorized(ctx);
    ctx.body = signConfabToken(ctx.state.user, app);
  });

  koa.use(router.routes());
  koa.use(router.allowedMethods());
  const handle = koa.callback();
  // Koa settles its own failures through ctx.onerror, so the handler's promise never rejects.
  return { koa, http: createServer((req, res) => void handle(req, res)) };
}

function unauthorized(ctx: Koa.Context): void {
  ctx.status = 401;
  ctx.body = { error: 'Sign in first' };
}

function publicUser(user: HostUser) {
  return { id: user.id, username: user.username, name: user.name, lastName: user.lastName, role: user.role };
}
