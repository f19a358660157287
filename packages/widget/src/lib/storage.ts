import type { AuthSessionDto } from '@confab/sdk';

/** What the widget keeps between page loads, only after the visitor first opened the chat. */
export interface StoredVisit {
  /** Only in what earlier versions stored: the session now lives under `sessionKey`. */
  session?: AuthSessionDto;
  /** The support conversation (support mode). */
  conversationId?: string;
  /** Per conversation: the visitor gave their email on its "Get replies by email" card, or closed it. */
  emailCards?: Record<string, 'saved' | 'dismissed'>;
}

/**
 * One key per server and app in localStorage; every access survives storage being blocked. The
 * session itself sits beside it under `sessionKey`, where the SDK shares it with the other tabs.
 */
export class VisitStorage {
  constructor(
    private readonly key: string,
    private readonly store: Storage | null = defaultStorage(),
  ) {}

  static for(server: string, app: string, kind = 'widget'): VisitStorage {
    return new VisitStorage(`confab:${kind}:${server}:${app}`);
  }

  /** The key under which the SDK keeps (and shares across tabs) the session. */
  get sessionKey(): string {
    return `${this.key}:session`;
  }

  /** True when a session was stored by an earlier visit (or another tab), without loading the SDK. */
  hasSession(): boolean {
    try {
      const raw = this.store?.getItem(this.sessionKey);
      if (raw && (JSON.parse(raw) as { session?: unknown }).session) return true;
    } catch {
      // unreadable: nothing to resume
    }
    return Boolean(this.read()?.session);
  }

  /** Moves a session stored by an earlier version beside the visit to where the SDK reads it. */
  migrateSession(): void {
    const visit = this.read();
    if (!visit?.session) return;
    try {
      if (!this.store?.getItem(this.sessionKey)) this.store?.setItem(this.sessionKey, JSON.stringify({ session: visit.session }));
      const { session: _moved, ...rest } = visit;
      this.store?.setItem(this.key, JSON.stringify(rest));
    } catch {
      // blocked storage: nothing was there to move
    }
  }

  read(): StoredVisit | null {
    try {
      const raw = this.store?.getItem(this.key);
      return raw ? (JSON.parse(raw) as StoredVisit) : null;
    } catch {
      return null;
    }
  }

  write(patch: StoredVisit): void {
    try {
      this.store?.setItem(this.key, JSON.stringify({ ...this.read(), ...patch }));
    } catch {
      // storage full or blocked: the visit simply won't survive a reload
    }
  }

  /** Forgets the visit (the SDK forgets the session itself on logout). */
  clear(): void {
    try {
      this.store?.removeItem(this.key);
    } catch {
      // blocked storage holds nothing to clear
    }
  }
}

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
