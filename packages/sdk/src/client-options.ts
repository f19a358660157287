export interface ClientOptions {
  /** The Confab server, e.g. `https://chat.example.com`. */
  url: string;
  /** Your app id. */
  app: string;
  /** Socket transports (default: polling, then upgrade to WebSocket). */
  transports?: ('websocket' | 'polling')[];
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /**
   * In browsers: keep the session in localStorage under this key, shared by every tab of the
   * origin that uses the same key. Tokens are renewed once for all tabs, signing out in one tab
   * signs out all, and one tab holds the connection for all of them (see `shareSocket`).
   */
  storageKey?: string;
  /** With `storageKey`: one socket per browser, held by one tab for the others (default true). */
  shareSocket?: boolean;
}
