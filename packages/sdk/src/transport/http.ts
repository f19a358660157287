import { ChatError } from '../errors.js';

export interface HttpOptions {
  body?: unknown;
  /** A multipart body (file uploads) instead of JSON. */
  form?: FormData;
  /** Send the session's access token (refreshed first when needed). */
  auth?: boolean;
  /** Send this token instead (a guest signing in hands over its data). */
  bearer?: string;
  query?: Record<string, string | number | undefined>;
  /** Upload progress of a `form` body (in browsers, where XMLHttpRequest reports it). */
  onUploadProgress?: (sent: number, total: number) => void;
}

export interface TokenSource {
  accessToken(): Promise<string>;
  /** Called once when the server says the token expired; resolves with a fresh one. */
  refresh(): Promise<string>;
}

/** REST calls to `/v1`: JSON in and out, `ChatError` for every failure (network included). */
export class HttpTransport {
  tokens: TokenSource | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly app: string,
    private readonly fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {}

  async request<T>(method: string, path: string, options: HttpOptions = {}): Promise<T> {
    let token = options.bearer;
    if (options.auth) {
      if (!this.tokens) throw new ChatError('unauthorized', 'Sign in first', 401);
      token = await this.tokens.accessToken();
    }
    try {
      return await this.send<T>(method, path, options, token);
    } catch (err) {
      if (!(options.auth && err instanceof ChatError && err.code === 'token_expired')) throw err;
      return this.send<T>(method, path, options, await this.tokens!.refresh());
    }
  }

  private async send<T>(method: string, path: string, options: HttpOptions, token?: string): Promise<T> {
    const headers: Record<string, string> = { 'x-confab-app': this.app, accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined && !options.form) headers['content-type'] = 'application/json';
    const params = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
    const query = params.length ? `?${new URLSearchParams(params.map(([k, v]) => [k, String(v)]))}` : '';
    const url = `${this.baseUrl}${path}${query}`;
    if (options.form && options.onUploadProgress && typeof XMLHttpRequest !== 'undefined') {
      return this.sendWithProgress<T>(method, url, headers, options.form, options.onUploadProgress);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
    } catch (err) {
      throw new ChatError('unavailable', `Cannot reach the chat server: ${(err as Error).message}`, 0);
    }
    if (res.status === 204) return undefined as T;
    const body = await res.json().catch(() => null);
    if (!res.ok) throw ChatError.fromResponse(res.status, body);
    return body as T;
  }

  /** fetch() cannot report upload progress; XMLHttpRequest can. */
  private sendWithProgress<T>(
    method: string,
    url: string,
    headers: Record<string, string>,
    form: FormData,
    progress: (sent: number, total: number) => void,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : 0);
      xhr.onerror = () => reject(new ChatError('unavailable', 'Cannot reach the chat server', 0));
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          // not JSON: a proxy's error page
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
        else reject(ChatError.fromResponse(xhr.status, body));
      };
      xhr.send(form);
    });
  }
}
