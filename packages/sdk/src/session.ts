import type { AuthSessionDto } from '@confab/protocol';
import { ChatError } from './errors.js';
import type { HttpTransport, TokenSource } from './transport/http.js';

/** A host-signed token, or a function that fetches a fresh one from your backend. */
export type TokenProvider = () => Promise<string>;

const REFRESH_AHEAD_MS = 60_000;

/**
 * Holds the tokens: refreshes the access token a minute before it expires (and when the server
 * says it expired), one refresh at a time, since a refresh token works once. When the refresh
 * token is refused, a host token provider (if any) signs the user in again; otherwise the
 * session ends and `onEnded` fires.
 */
export class Session implements TokenSource {
  current: AuthSessionDto | null = null;
  private provider: TokenProvider | null = null;
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly http: HttpTransport,
    private readonly onChanged: (session: AuthSessionDto | null) => void,
    private readonly onEnded: (error: ChatError) => void,
  ) {}

  start(session: AuthSessionDto, provider: TokenProvider | null = this.provider): void {
    this.current = session;
    this.provider = provider;
    this.schedule();
    this.onChanged(session);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    this.provider = null;
    this.onChanged(null);
  }

  async accessToken(): Promise<string> {
    const session = this.current;
    if (!session) throw new ChatError('unauthorized', 'Sign in first', 401);
    if (Date.parse(session.expiresAt) - Date.now() > 5_000) return session.accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Exchanges a host-signed token (from `provider` when it's a function). */
  async exchange(provider: string | TokenProvider, bearer?: string): Promise<AuthSessionDto> {
    const token = typeof provider === 'function' ? await provider() : provider;
    const session = await this.http.request<AuthSessionDto>('POST', '/v1/auth/exchange', { body: { token }, bearer });
    this.start(session, typeof provider === 'function' ? provider : null);
    return session;
  }

  private async rotate(): Promise<string> {
    const refreshToken = this.current?.refreshToken;
    if (!refreshToken) throw new ChatError('unauthorized', 'Sign in first', 401);
    try {
      const next = await this.http.request<AuthSessionDto>('POST', '/v1/auth/refresh', { body: { refreshToken } });
      this.start(next);
      return next.accessToken;
    } catch (err) {
      const error = asChatError(err);
      if (error.retryable) {
        this.schedule(); // the server or the network is down: try again later
        throw error;
      }
      if (this.provider) {
        try {
          return (await this.exchange(this.provider)).accessToken;
        } catch (providerErr) {
          return this.end(asChatError(providerErr));
        }
      }
      return this.end(error);
    }
  }

  private end(error: ChatError): never {
    this.clear();
    this.onEnded(error);
    throw error;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const session = this.current;
    if (!session) return;
    const delay = Math.max(Date.parse(session.expiresAt) - Date.now() - REFRESH_AHEAD_MS, 5_000);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => undefined); // failures surface through onEnded or the next call
    }, delay);
    (this.timer as { unref?: () => void }).unref?.();
  }
}

function asChatError(err: unknown): ChatError {
  return err instanceof ChatError ? err : new ChatError('unauthorized', `Could not renew the session: ${String(err)}`, 401);
}
