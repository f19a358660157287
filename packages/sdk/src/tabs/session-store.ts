import type { AuthSessionDto } from '@confab/protocol';

/** Why a shared session was emptied: signed out, or the server refused to renew it. */
export type StoredEnd = 'logout' | 'refused';

/** What the tabs sharing one key see. */
export interface StoredSession {
  session: AuthSessionDto | null;
  ended?: StoredEnd;
}

/**
 * Where a client keeps its session. The browser one is shared by every tab of the origin that
 * uses the same key; the memory one belongs to one client.
 */
export interface SessionStore {
  load(): AuthSessionDto | null;
  save(session: AuthSessionDto | null, ended?: StoredEnd): void;
  /** Calls `listener` when another tab changed the stored session. */
  watch(listener: (stored: StoredSession) => void): () => void;
  /** Runs `work` while no other holder of this store runs exclusive work (token renewal). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

/** One client's session, in memory: nothing to share, renewals one after another. */
export function memorySessionStore(): SessionStore {
  let current: AuthSessionDto | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
    watch: () => () => undefined,
    exclusive: <T>(work: () => Promise<T>) => {
      const run = chain.then(work, work);
      chain = run.catch(() => undefined);
      return run;
    },
  };
}

function isSession(value: unknown): value is AuthSessionDto {
  const s = value as Partial<AuthSessionDto> | null;
  return Boolean(
    s &&
    typeof s.accessToken === 'string' &&
    typeof s.refreshToken === 'string' &&
    typeof s.expiresAt === 'string' &&
    s.user &&
    typeof s.user.id === 'string',
  );
}

function parse(raw: string | null): StoredSession {
  if (!raw) return { session: null };
  try {
    const value = JSON.parse(raw) as { session?: unknown; ended?: unknown };
    const ended = value.ended === 'logout' || value.ended === 'refused' ? value.ended : undefined;
    return { session: isSession(value.session) ? value.session : null, ended };
  } catch {
    return { session: null };
  }
}

function localStorageOrNull(): Storage | null {
  try {
    if (typeof localStorage === 'undefined') return null;
    const probe = '__confab_probe__';
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null; // blocked (privacy settings, sandboxed frame): no sharing
  }
}

const LEASE_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Without the Web Locks API: a lease in localStorage. Taking it is not atomic, so two tabs may
 * rarely both run; the server's refresh grace window makes that harmless.
 */
async function withLease<T>(storage: Storage, key: string, work: () => Promise<T>): Promise<T> {
  const me = Math.random().toString(36).slice(2);
  const holder = () => {
    try {
      const lease = JSON.parse(storage.getItem(key) ?? 'null') as { owner: string; until: number } | null;
      return lease && lease.until > Date.now() ? lease.owner : null;
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + LEASE_MS;
  while (Date.now() < deadline) {
    if (!holder()) {
      storage.setItem(key, JSON.stringify({ owner: me, until: Date.now() + LEASE_MS }));
      await sleep(25);
      if (holder() === me) break;
    } else {
      await sleep(50 + Math.random() * 50);
    }
  }
  try {
    return await work();
  } finally {
    if (holder() === me) storage.removeItem(key);
  }
}

/**
 * The session in localStorage under `key`, shared by the origin's tabs: `storage` events bring
 * other tabs' changes, and renewals run under a Web Lock (a localStorage lease where the Web Locks
 * API is missing). Null when storage is blocked.
 */
export function browserSessionStore(key: string): SessionStore | null {
  const storage = localStorageOrNull();
  if (!storage || typeof window === 'undefined') return null;
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return {
    load: () => parse(storage.getItem(key)).session,
    save: (session, ended) => {
      try {
        if (session) {
          storage.setItem(key, JSON.stringify({ session }));
        } else {
          // Other tabs hear why (the first storage event), then nothing is left behind.
          storage.setItem(key, JSON.stringify({ session: null, ended: ended ?? 'logout' }));
          storage.removeItem(key);
        }
      } catch {
        // storage full: this tab keeps its session in memory
      }
    },
    watch: (listener) => {
      const onStorage = (e: StorageEvent) => {
        if (e.storageArea === storage && (e.key === key || e.key === null)) listener(parse(e.newValue));
      };
      window.addEventListener('storage', onStorage);
      return () => window.removeEventListener('storage', onStorage);
    },
    exclusive: <T>(work: () => Promise<T>) =>
      locks ? (locks.request(`${key}:renew`, work) as Promise<T>) : withLease(storage, `${key}:lease`, work),
  };
}
