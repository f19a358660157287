import type { AuthSessionDto } from '@confab/sdk';

/** What the widget keeps between page loads, only after the visitor first opened the chat. */
export interface StoredVisit {
  session?: AuthSessionDto;
  /** The support conversation (support mode). */
  conversationId?: string;
}

/** One key per server and app in localStorage; every access survives storage being blocked. */
export class VisitStorage {
  constructor(
    private readonly key: string,
    private readonly store: Storage | null = defaultStorage(),
  ) {}

  static for(server: string, app: string, kind = 'widget'): VisitStorage {
    return new VisitStorage(`confab:${kind}:${server}:${app}`);
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
