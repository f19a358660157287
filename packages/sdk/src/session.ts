import type { AuthSessionDto } from '@confab/protocol';

import { ChatError } from './errors.js';
import { memorySessionStore, type SessionStore, type StoredSession } from './tabs/session-store.js';
import type { HttpTransport, TokenSource } from './transport/http.js';

/** A host-signed token, or a function that fetches a fresh one from your backend. */
export type TokenProvider = () => Promise<string>;

/**
 * Why a session ended: `logout` (here), `logout-elsewhere` (another tab signed out), `refused`
 * (the server would not renew it: revoked, expired, or ended on the server).
 */
export type SessionEndReason = 'logout' | 'logout-elsewhere' | 'refused';

export interface SessionHooks {
  /**
   * New tokens, or null when the session ended. `switched`: another user than before;
   * `remote`: another tab made the change.
   */
  changed(session: AuthSessionDto | null, switched: boolean, remote: boolean): void;
  ended(reason: SessionEndReason, error: ChatError): void;
}

const REFRESH_AHEAD_MS = 60_000;
const MIN_VALID_MS = 5_000;

/**
 * Holds the tokens: refreshes the access token a minute before it expires (and when the server
 * says it expired), one refresh at a time, since a refresh token works once. With a shared store
 * the tabs of a browser hold one session: renewals are single-flight across tabs (whoever waited
 * takes the tokens another tab just got), and a sign-out in one tab ends the session in all.
 * When the refresh token is refused, a host token provider (if any) signs the user in again;
 * otherwise the session ends.
 */
export class Session implements TokenSource {
  current: AuthSessionDto | null;
  private provider: TokenProvider | null = null;
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unwatch: () => void;

  constructor(
    private readonly http: HttpTransport,
    private readonly hooks: SessionHooks,
    private readonly store: SessionStore = memorySessionStore(),
  ) {
    this.current = store.load();
    this.unwatch = store.watch((stored) => this.adoptStored(stored));
    this.schedule();
  }

  start(session: AuthSessionDto, provider: TokenProvider | null = this.provider): void {
    this.provider = provider;
    this.store.save(session);
    this.adopt(session);
  }

  /** Forgets the session here and, with a shared store, in every tab. */
  clear(ended: 'logout' | 'refused' = 'logout'): void {
    this.store.save(null, ended);
    this.forget();
  }

  dispose(): void {
    this.unwatch();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async accessToken(): Promise<string> {
    // Another tab may have signed in before this one heard of it.
    if (!this.current) {
      const stored = this.store.load();
      if (stored) this.adopt(stored);
    }
    const session = this.current;
    if (!session) throw new ChatError('unauthorized', 'Sign in first', 401);
    if (Date.parse(session.expiresAt) - Date.now() > MIN_VALID_MS) return session.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    const stale = this.current?.accessToken;
    this.refreshing ??= this.store
      .exclusive(() => this.renew(stale))
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Exchanges a host-signed token; `provider`, when given, signs in again whenever renewal is refused. */
  async exchange(token: string, bearer?: string, provider: TokenProvider | null = null): Promise<AuthSessionDto> {
    const session = await this.http.call('POST /v1/auth/exchange', { body: { token }, bearer });
    this.start(session, provider);
    return session;
  }

  /** Goes on with the current session, renewing it later through `provider` when the server refuses. */
  keepProvider(provider: TokenProvider | null): void {
    this.provider = provider;
  }

  /** Under the renewal lock: another tab may have renewed (or ended) the session while we waited. */
  private async renew(stale: string | undefined): Promise<string> {
    const stored = this.store.load();
    if (stored && stored.accessToken !== stale && Date.parse(stored.expiresAt) - Date.now() > MIN_VALID_MS) {
      if (stored.refreshToken !== this.current?.refreshToken) this.adopt(stored);
      return stored.accessToken;
    }
    return this.rotate(stored ?? this.current);
  }

  private async rotate(from: AuthSessionDto | null): Promise<string> {
    const refreshToken = from?.refreshToken;
    if (!refreshToken) throw new ChatError('unauthorized', 'Sign in first', 401);
    try {
      const next = await this.http.call('POST /v1/auth/refresh', { body: { refreshToken } });
      this.start(next);
      return next.accessToken;
    } catch (err) {
      const error = asChatError(err);
      if (error.retryable) {
        this.schedule(); // the server or the network is down: try again later
        throw error;
      }
      const stored = this.store.load();
      if (stored && stored.refreshToken !== refreshToken) {
        // Another tab renewed without our lock (no Web Locks): its tokens are the live ones.
        this.adopt(stored);
        return stored.accessToken;
      }
      if (this.provider) {
        try {
          return (await this.exchange(await this.provider(), undefined, this.provider)).accessToken;
        } catch (providerErr) {
          return this.end(asChatError(providerErr));
        }
      }
      return this.end(error);
    }
  }

  private end(error: ChatError): never {
    this.clear('refused');
    this.hooks.ended('refused', error);
    throw error;
  }

  /** Another tab saved: take its tokens, or end here too when it signed out or was refused. */
  private adoptStored(stored: StoredSession): void {
    if (stored.session) {
      if (stored.session.refreshToken !== this.current?.refreshToken) this.adopt(stored.session, true);
      return;
    }
    if (!this.current) return;
    this.forget(true);
    const reason = stored.ended === 'refused' ? 'refused' : 'logout-elsewhere';
    const message = reason === 'refused' ? 'The session ended; sign in again' : 'Signed out in another tab';
    this.hooks.ended(reason, new ChatError('unauthorized', message, 401));
  }

  private adopt(session: AuthSessionDto, remote = false): void {
    const switched = this.current !== null && this.current.user.id !== session.user.id;
    this.current = session;
    this.schedule();
    this.hooks.changed(session, switched, remote);
  }

  private forget(remote = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const had = this.current !== null;
    this.current = null;
    this.provider = null;
    if (had) this.hooks.changed(null, false, remote);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const session = this.current;
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    // A minute ahead, or a third of the lifetime for short-lived tokens.
    const delay = Math.max(left - Math.min(REFRESH_AHEAD_MS, left / 3), MIN_VALID_MS);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => undefined); // failures surface through `ended` or the next call
    }, delay);
    (this.timer as { unref?: () => void }).unref?.();
  }
}

function asChatError(err: unknown): ChatError {
  return err instanceof ChatError ? err : new ChatError('unauthorized', `Could not renew the session: ${String(err)}`, 401);
}
