import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A session (refresh-token family) that was ended, and when (ms since epoch). */
export interface Revocation {
  sessionId: string;
  revokedAt: number;
}

/** Reads the sessions revoked within the last `withinMs` from the store of record (the database). */
export type LoadRevocations = (withinMs: number) => Promise<Revocation[]>;

/**
 * The sessions revoked recently, in memory, so that an access token is checked without a query.
 * An entry is kept for `windowMs` (the access-token lifetime and some slack): after that, no access
 * token of the session is alive anyway. Answers `null` while this node cannot be sure it heard of
 * every revocation (not loaded yet, or cut off from the other nodes): the caller asks the database.
 */
export interface RevokedSessions {
  /** True when revoked, false when this node is sure it is not, null when it cannot tell now. */
  isRevoked(sessionId: string): boolean | null;
  /** Records sessions whose revocation committed: known here at once, then told to the other nodes. */
  revoke(sessionIds: string[]): Promise<void>;
  /** Calls `listener` with sessions this node learns are revoked (by any node); returns an unsubscribe. */
  onRevoked(listener: (sessionIds: string[]) => void): () => void;
  close(): Promise<void>;
}

export interface RevokedSessionsOptions {
  load: LoadRevocations;
  windowMs: number;
  logger: Logger;
  /** How often stale entries are dropped (and a failed load is tried again). */
  tickMs?: number;
}

const TICK_MS = 5_000;
const SESSION_ID = /^[0-9a-f-]{36}$/i;

/** The set itself: session id → when revoked, pruned by age; tells listeners about new entries. */
class RevocationSet {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(sessionIds: string[]) => void>();

  constructor(private readonly windowMs: number) {}

  has(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  add(entries: Revocation[]): void {
    const added: string[] = [];
    const oldest = Date.now() - this.windowMs;
    for (const { sessionId, revokedAt } of entries) {
      if (revokedAt <= oldest || this.revoked.has(sessionId)) continue;
      this.revoked.set(sessionId, revokedAt);
      added.push(sessionId);
    }
    if (added.length) for (const listener of [...this.listeners]) listener(added);
  }

  prune(): void {
    const oldest = Date.now() - this.windowMs;
    for (const [sessionId, revokedAt] of this.revoked) if (revokedAt <= oldest) this.revoked.delete(sessionId);
  }

  listen(listener: (sessionIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

const revokedNow = (sessionIds: string[]): Revocation[] => sessionIds.map((sessionId) => ({ sessionId, revokedAt: Date.now() }));

/** Reads the record into the set; false (logged) when the database could not be read. */
function loader(options: RevokedSessionsOptions, set: RevocationSet, what: string) {
  return async (): Promise<boolean> => {
    try {
      set.add(await options.load(options.windowMs));
      return true;
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, `could not read the revoked sessions (${what}); checking them in the database`);
      return false;
    }
  };
}

/** Single node: every revocation passes through this process; the database's record covers a restart. */
export function createMemoryRevokedSessions(options: RevokedSessionsOptions): RevokedSessions {
  const set = new RevocationSet(options.windowMs);
  const load = loader(options, set, 'at start');
  let loaded = false;
  const tryLoad = () => void load().then((ok) => (loaded ||= ok));
  tryLoad();
  const timer = setInterval(() => {
    set.prune();
    if (!loaded) tryLoad();
  }, options.tickMs ?? TICK_MS);
  timer.unref();
  return {
    isRevoked: (sessionId) => (set.has(sessionId) ? true : loaded ? false : null),
    revoke: async (sessionIds) => set.add(revokedNow(sessionIds)),
    onRevoked: (listener) => set.listen(listener),
    close: async () => clearInterval(timer),
  };
}

/**
 * Every node: revocations are published on a Redis channel and each node adds what it hears. A
 * node is sure only while subscribed and after it read the database's record since subscribing
 * (which covers whatever was published while it was not listening); cut off from Redis, it is not.
 */
export function createRedisRevokedSessions(redis: Redis, prefix: string, options: RevokedSessionsOptions): RevokedSessions {
  const { logger } = options;
  const channel = `${prefix}revoked-sessions`;
  const set = new RevocationSet(options.windowMs);
  const load = loader(options, set, 'after subscribing');
  // Waits in the offline queue for as long as Redis is away, and resubscribes by itself.
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  sub.on('error', () => undefined); // logged by the main connection
  let subscription = 0; // counts (re)subscriptions: a load counts only for the one it started in
  let listening = false;
  let sure = false;

  const catchUp = async (attempt: number) => {
    if (attempt !== subscription || !listening) return;
    if ((await load()) && attempt === subscription && listening) sure = true;
  };
  sub.on('ready', () => {
    const attempt = ++subscription;
    // ioredis resubscribes right after 'ready': a PING behind it answers once the subscription is in place.
    setImmediate(() => {
      sub.ping().then(
        () => {
          listening = sub.status === 'ready';
          return catchUp(attempt);
        },
        () => undefined,
      );
    });
  });
  for (const event of ['close', 'end', 'reconnecting']) {
    sub.on(event, () => {
      subscription++;
      listening = false;
      sure = false;
    });
  }
  sub.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    set.add(revokedNow(message.split(' ').filter((id) => SESSION_ID.test(id))));
  });
  sub.subscribe(channel).catch((err: Error) => logger.warn({ err: err.message }, 'could not subscribe to revoked sessions'));

  // With Redis down everywhere, the other nodes are not sure either (they ask the database) and read
  // the record once they are subscribed again. Only this node cut off: it tells them when it is back.
  let unannounced: Revocation[] = [];
  const announce = async (entries: Revocation[]) => {
    await redis.publish(channel, entries.map((e) => e.sessionId).join(' ')).catch((err: Error) => {
      unannounced.push(...entries);
      logger.warn({ err: err.message, sessions: entries.length }, 'could not announce revoked sessions (redis)');
    });
  };
  const onReady = () => {
    const oldest = Date.now() - options.windowMs;
    const late = unannounced.filter((e) => e.revokedAt > oldest);
    unannounced = [];
    if (late.length) void announce(late);
  };
  redis.on('ready', onReady);

  const timer = setInterval(() => {
    set.prune();
    // A load that failed (database away) is tried again while subscribed.
    if (listening && !sure) void catchUp(subscription);
  }, options.tickMs ?? TICK_MS);
  timer.unref();

  return {
    isRevoked: (sessionId) => (set.has(sessionId) ? true : sure ? false : null),
    revoke: async (sessionIds) => {
      if (!sessionIds.length) return;
      const entries = revokedNow(sessionIds);
      set.add(entries);
      await announce(entries);
    },
    onRevoked: (listener) => set.listen(listener),
    close: async () => {
      clearInterval(timer);
      redis.off('ready', onReady);
      sure = false;
      sub.disconnect();
    },
  };
}
