import { LIMITS, type UploadLinksDto } from '@confab/protocol';

import { ChatError } from './errors.js';

/** A link is handed out only with at least this long left: the image it is for may load a little later. */
const MARGIN_MS = 60_000;

/** The absolute, signed URLs of one file. */
export interface FileLink {
  /** The file itself (the full-size image). */
  url: string;
  /** The image's thumbnail; the file's own `url` when it has none (not an image, or an older server). */
  thumbnailUrl: string;
}

interface Cached extends FileLink {
  expiresAtMs: number;
}

interface Waiter {
  promise: Promise<FileLink>;
  resolve(link: FileLink): void;
  reject(err: unknown): void;
}

/**
 * Signed URLs of files (`POST /v1/uploads/links`): the asks of one tick go out as one request
 * (a page of images is one round trip), and each URL is reused until shortly before it expires.
 */
export class UploadLinks {
  private readonly cache = new Map<string, Cached>();
  /** Asked and not answered yet (queued or in flight): a second ask shares the first's answer. */
  private readonly pending = new Map<string, Waiter>();
  private queued: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly request: (ids: string[]) => Promise<UploadLinksDto>,
    /** The absolute URL of a path the server answered. */
    private readonly absolute: (path: string) => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The URL of file `id`; rejects with `not_found` when the caller may not read it. */
  src(id: string): Promise<string> {
    return this.link(id).then((link) => link.url);
  }

  /**
   * The URL of the thumbnail of image `id`, or of the file itself when it has no thumbnail;
   * rejects with `not_found` when the caller may not read it. Shares its request and cache with `src`.
   */
  thumbnailSrc(id: string): Promise<string> {
    return this.link(id).then((link) => link.thumbnailUrl);
  }

  /** Both URLs of file `id` (one request and one cache entry serve `src` and `thumbnailSrc`). */
  link(id: string): Promise<FileLink> {
    const key = id.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAtMs - this.now() > MARGIN_MS) {
      return Promise.resolve({ url: cached.url, thumbnailUrl: cached.thumbnailUrl });
    }
    const pending = this.pending.get(key);
    if (pending) return pending.promise;
    let settle!: Pick<Waiter, 'resolve' | 'reject'>;
    const promise = new Promise<FileLink>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.set(key, { promise, ...settle });
    this.queued.push(key);
    // A macrotask, not a microtask: every element rendered in this task (each updates in its own microtask) gets in.
    this.timer ??= setTimeout(() => this.flush(), 0);
    return promise;
  }

  /** Forgets every link: they were made for a user who is no longer signed in here. */
  clear(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private flush(): void {
    this.timer = null;
    const ids = this.queued;
    this.queued = [];
    const now = this.now();
    for (const [id, link] of this.cache) if (link.expiresAtMs - now <= MARGIN_MS) this.cache.delete(id);
    for (let i = 0; i < ids.length; i += LIMITS.uploadLinksMax) void this.fetch(ids.slice(i, i + LIMITS.uploadLinksMax));
  }

  private async fetch(ids: string[]): Promise<void> {
    const waiters = ids.map((id) => [id, this.pending.get(id)!] as const);
    const generation = this.generation;
    const sentAt = this.now();
    const done = (id: string, waiter: Waiter) => {
      if (this.pending.get(id) === waiter) this.pending.delete(id);
    };
    let reply: UploadLinksDto;
    try {
      reply = await this.request(ids);
    } catch (err) {
      for (const [id, waiter] of waiters) {
        done(id, waiter);
        waiter.reject(err);
      }
      return;
    }
    const links = new Map(reply.items.map((item) => [item.id.toLowerCase(), item]));
    for (const [id, waiter] of waiters) {
      done(id, waiter);
      const link = links.get(id);
      if (!link) {
        waiter.reject(new ChatError('not_found', 'File not found', 404));
        continue;
      }
      const url = this.absolute(link.url);
      // Why: a server from before thumbnails leaves the field out; the full file still shows.
      const thumbnailUrl = link.thumbnailUrl ? this.absolute(link.thumbnailUrl) : url;
      // Counted from when it was asked for, by this clock: the device's clock may be off from the server's.
      if (generation === this.generation) {
        this.cache.set(id, { url, thumbnailUrl, expiresAtMs: sentAt + link.expiresIn * 1000 });
      }
      waiter.resolve({ url, thumbnailUrl });
    }
  }
}
