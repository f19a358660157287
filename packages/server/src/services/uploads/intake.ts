import { Readable } from 'node:stream';

/** What the first bytes of a stream say about it, and the whole stream again to pass on. */
export interface Peeked<T> {
  /** What `inspect` made of the first bytes. */
  verdict: T;
  /** The whole stream, those first bytes included. */
  whole: Readable;
}

/** How much of a stream `peek` reads. */
export interface PeekReach {
  /** At most this many bytes. */
  bytes: number;
  /** Fewer when these first bytes already tell enough (asked once, when `after` bytes are in). */
  enough?: (head: Buffer) => boolean;
  after?: number;
}

/**
 * Reads up to `reach.bytes` from `body` and hands them to `inspect` (with whether they are all
 * there is), without losing them: the rest stays unread until `whole` is. Only `whole` keeps the
 * first bytes, until it has passed them on, so that an upload holds them no longer than it must.
 */
export async function peek<T>(body: Readable, reach: PeekReach, inspect: (head: Buffer, complete: boolean) => T): Promise<Peeked<T>> {
  const { bytes, enough, after = 0 } = reach;
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let length = 0;
  let complete = false;
  while (length < bytes) {
    const next = await source.next();
    if (next.done) {
      complete = true;
      break;
    }
    parts.push(next.value);
    length += next.value.length;
    if (enough && length >= after && length - next.value.length < after && enough(Buffer.concat(parts))) break;
  }
  let read: Buffer | null = Buffer.concat(parts);
  const verdict = inspect(read.subarray(0, bytes), complete);
  async function* again(): AsyncGenerator<Buffer> {
    try {
      const first = read;
      read = null;
      if (first?.length) yield first;
      if (complete) return;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    } finally {
      // Stopped early (refused, failed): the source is released as well.
      await source.return?.();
    }
  }
  return { verdict, whole: Readable.from(again(), { objectMode: false }) };
}

/** All of a stream in one buffer: for what must be whole to be worked on (images), within the upload limit. */
export async function collect(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
