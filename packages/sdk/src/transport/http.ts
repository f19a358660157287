import {
  type FileDownload,
  type FileUpload,
  REST_ROUTES,
  type RouteBody,
  type RouteKey,
  type RouteParams,
  routePath,
  type RouteQuery,
  type RouteResponse,
  splitRouteKey,
} from '@confab/protocol';

import { ChatError } from '../errors.js';

/** Operations answering JSON (or nothing): those `HttpTransport.call` makes. */
export type JsonRouteKey = { [K in RouteKey]: RouteResponse<K> extends FileDownload | string ? never : K }[RouteKey];
/** Operations read by URL (`<img src>`, a link) rather than by `call`. */
export type GetRouteKey = Extract<RouteKey, `GET ${string}`>;
/** Operations answering a file: those `HttpTransport.download` makes. */
export type DownloadRouteKey = { [K in RouteKey]: RouteResponse<K> extends FileDownload ? K : never }[RouteKey];

type AuthOf<K extends RouteKey> = (typeof REST_ROUTES)[K]['auth'];

/** `params` exactly when the path has `:names`. */
type ParamsOption<K extends RouteKey> = RouteParams<K> extends undefined ? { params?: never } : { params: RouteParams<K> };
/** `query` when the operation reads one; required only if one of its fields is. */
type QueryOption<K extends RouteKey> =
  RouteQuery<K> extends undefined ? { query?: never } : object extends RouteQuery<K> ? { query?: RouteQuery<K> } : { query: RouteQuery<K> };
/** A JSON `body`, or a `form` for an upload, exactly when the operation takes one. */
type BodyOption<K extends RouteKey> =
  RouteBody<K> extends undefined
    ? { body?: never; form?: never }
    : RouteBody<K> extends FileUpload
      ? {
          /** The multipart body: one file, in the field `file`. */
          form: FormData;
          /** Upload progress (in browsers, where XMLHttpRequest reports it). */
          onUploadProgress?: (sent: number, total: number) => void;
          body?: never;
        }
      : { body: RouteBody<K>; form?: never };
/**
 * `user` operations send the session's access token (refreshed first when needed) unless a
 * `bearer` is given; `app` ones send a `bearer` only when given (a guest signing in hands over its
 * data); `admin` ones need it; `none` ones send none.
 */
type AuthOption<K extends RouteKey> =
  AuthOf<K> extends 'admin' ? { bearer: string } : AuthOf<K> extends 'none' ? { bearer?: never } : { bearer?: string };

/** What `call(key, options)` takes for `key`: each part required or forbidden as the route table says. */
export type CallOptions<K extends RouteKey> = AuthOption<K> & ParamsOption<K> & QueryOption<K> & BodyOption<K>;
/** What `url(key, options)` takes for `key`. */
export type UrlOptions<K extends RouteKey> = ParamsOption<K> & QueryOption<K>;

/** The options argument, which may be left out when nothing in it is required. */
type OptionsArg<O> = object extends O ? [options?: O] : [options: O];

/** Every option of every operation, as the transport reads them once the public signatures checked them. */
interface AnyOptions {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  form?: FormData;
  bearer?: string;
  onUploadProgress?: (sent: number, total: number) => void;
}

export interface TokenSource {
  accessToken(): Promise<string>;
  /** Called once when the server says the token expired; resolves with a fresh one. */
  refresh(): Promise<string>;
}

/**
 * REST calls, typed from `@confab/protocol`'s route table: `call('GET /v1/rooms/:id', { params: { id } })`
 * resolves with that operation's response; a wrong key, a missing param or a wrong body does not
 * compile. JSON in and out, `ChatError` for every failure (network included).
 */
export class HttpTransport {
  tokens: TokenSource | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly app: string,
    private readonly fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {}

  call<K extends JsonRouteKey>(key: K, ...[options]: OptionsArg<CallOptions<K>>): Promise<RouteResponse<K>> {
    return this.authorized(key, (options ?? {}) as AnyOptions, false);
  }

  /** A file the server answers (an export archive), as a Blob; failures are `ChatError`s as with `call`. */
  download<K extends DownloadRouteKey>(key: K, ...[options]: OptionsArg<CallOptions<K>>): Promise<Blob> {
    return this.authorized(key, (options ?? {}) as AnyOptions, true);
  }

  /** Sends with the session's token when the operation needs one, renewing it once if the server says it expired. */
  private async authorized<T>(key: RouteKey, opts: AnyOptions, blob: boolean): Promise<T> {
    const { method } = splitRouteKey(key);
    const url = this.build(key, opts);
    const session = REST_ROUTES[key].auth === 'user' && opts.bearer === undefined;
    if (!session) return this.send(method, url, opts, opts.bearer, blob);
    if (!this.tokens) throw new ChatError('unauthorized', 'Sign in first', 401);
    const tokens = this.tokens;
    try {
      return await this.send(method, url, opts, await tokens.accessToken(), blob);
    } catch (err) {
      if (!(err instanceof ChatError && err.code === 'token_expired')) throw err;
      return this.send(method, url, opts, await tokens.refresh(), blob);
    }
  }

  /** The absolute URL of a GET operation, e.g. a file for `<img src>` (which cannot send headers). */
  url<K extends GetRouteKey>(key: K, ...[options]: OptionsArg<UrlOptions<K>>): string {
    return this.build(key, (options ?? {}) as AnyOptions);
  }

  /** The absolute URL of a path the server answered (a signed file link), under the same base as every call. */
  absolute(path: string): string {
    return /^https?:\/\//i.test(path) ? path : `${this.baseUrl}${path}`;
  }

  /** The one place a key becomes a URL: params filled in (URI-encoded) by `routePath`, the query appended. */
  private build(key: RouteKey, options: Pick<AnyOptions, 'params' | 'query'>): string {
    // routePath's arguments are checked per key at the public methods; here every key is one of them.
    const path = (routePath as (key: RouteKey, params?: Record<string, string>) => string)(key, options.params);
    const entries = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined && v !== '');
    const query = entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
    return `${this.baseUrl}${path}${query}`;
  }

  private async send<T>(method: string, url: string, options: AnyOptions, token?: string, blob = false): Promise<T> {
    const headers: Record<string, string> = { 'x-confab-app': this.app, accept: blob ? '*/*' : 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined && !options.form) headers['content-type'] = 'application/json';
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
    if (blob && res.ok) return (await res.blob()) as T;
    const body: unknown = await res.json().catch(() => null);
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
