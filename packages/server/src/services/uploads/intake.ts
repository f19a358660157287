import { Readable } from 'node:stream';

/** The first bytes of a stream, and the whole stream again (those bytes included) to pass on. */
export interface Peeked {
  /** At most the bytes asked for. */
  head: Buffer;
  /** Whether `head` is all there is. */
  complete: boolean;
  whole: Readable;
}

/** Reads up to `bytes` from `body` without losing them: the rest stays unread until `whole` is. */
export async function peek(body: Readable, bytes: number): Promise<Peeked> {
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
  }
  const read = Buffer.concat(parts);
  async function* again(): AsyncGenerator<Buffer> {
    try {
      if (read.length) yield read;
      if (complete) return;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    } finally {
      // Stopped early (refused, failed): the source is released as well.
      await source.return?.();
    }
  }
  return { head: read.subarray(0, bytes), complete, whole: Readable.from(again(), { objectMode: false }) };
}

/** All of a stream in one buffer: for what must be whole to be worked on (images), within the upload limit. */
export async function collect(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
