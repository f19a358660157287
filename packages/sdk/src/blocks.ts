import { LIMITS, type PageQuery } from '@confab/protocol';

import { createStore, type ReadableStore } from './store.js';
import type { HttpTransport } from './transport/http.js';

/** Pages of the block list read at most (a person blocks a handful of people). */
const PAGES_MAX = 20;

/**
 * The people the signed-in user blocked: the ids every room leaves out of its messages, loaded
 * once per session, and the calls that change them (`client.blocks`).
 */
export class BlockList {
  private readonly ids = createStore<ReadonlySet<string>>(new Set());
  private loading: Promise<void> | null = null;
  /** Bumped when the user changes: a load for the previous one is dropped. */
  private generation = 0;

  constructor(private readonly http: HttpTransport) {}

  get store(): ReadableStore<ReadonlySet<string>> {
    return this.ids;
  }

  /** Reads the whole list once (again after `reset`); failures leave it empty, to be read next time. */
  load(): Promise<void> {
    this.loading ??= this.readAll().catch(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Another user (or none): forget the list. */
  reset(): void {
    this.generation++;
    this.loading = null;
    this.ids.set(new Set());
  }

  /**
   * Blocking someone: no direct messages from them, and their messages are hidden from you in every
   * room this client holds (history and live). Get it as `client.blocks`.
   * @example await client.blocks.add(message.senderId);
   */
  api() {
    return {
      /** The people you blocked, page by page. */
      list: (page: PageQuery = {}) => this.http.call('GET /v1/me/blocks', { query: page }),
      /**
       * Blocks a person (again: nothing changes); their messages leave every room's `state.messages` at once.
       * @example await client.blocks.add(userId);
       */
      add: async (userId: string) => {
        const block = await this.http.call('PUT /v1/me/blocks/:userId', { params: { userId } });
        this.ids.set((ids) => (ids.has(userId) ? ids : new Set(ids).add(userId)));
        return block;
      },
      /** Unblocks them: their messages show again. */
      remove: async (userId: string): Promise<void> => {
        await this.http.call('DELETE /v1/me/blocks/:userId', { params: { userId } });
        this.ids.set((ids) => {
          if (!ids.has(userId)) return ids;
          const next = new Set(ids);
          next.delete(userId);
          return next;
        });
      },
    };
  }

  private async readAll(): Promise<void> {
    const generation = this.generation;
    const ids = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < PAGES_MAX; page++) {
      const { items, hasMore, nextCursor } = await this.http.call('GET /v1/me/blocks', { query: { limit: LIMITS.pageMax, cursor } });
      for (const block of items) ids.add(block.userId);
      if (!hasMore || !nextCursor) break;
      cursor = nextCursor;
    }
    if (generation === this.generation) this.ids.set((held) => new Set([...held, ...ids]));
  }
}

export type BlocksApi = ReturnType<BlockList['api']>;
