import type { Readable } from 'node:stream';

import type Koa from 'koa';

import { AppError, NotFoundError } from '../errors.js';
import { peek } from '../services/uploads/intake.js';
import { isMissingBytes } from '../services/uploads/storage.js';
import type { StoredFile } from '../services/uploads/uploads-service.js';

/** Inclusive byte positions of one range of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range a `Range` header asks for within `size` bytes: `bytes=a-b`, `bytes=a-` or
 * `bytes=-n`. Null when the whole file is to be sent: no header, another unit, several ranges, or
 * a malformed one (which RFC 9110 lets a server ignore). Throws `range_not_satisfiable` when the
 * range is well formed but no byte of it exists.
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | null {
  const match = header ? /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return unsatisfiable(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return null;
  }
  if (start >= size) return unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): never {
  throw new AppError('range_not_satisfiable', `The file has ${size} bytes: that range holds none of them`, { size });
}

/** Whether the client's copy is current (`If-None-Match`, else `If-Modified-Since`). */
function notModified(koa: Koa.Context, etag: string, modified: Date): boolean {
  const match = koa.get('if-none-match');
  if (match) return match.trim() === '*' || match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  const since = Date.parse(koa.get('if-modified-since'));
  return !Number.isNaN(since) && Math.floor(modified.getTime() / 1000) <= Math.floor(since / 1000);
}

/** Whether a `Range` still applies: no `If-Range`, or one naming this very file. */
function rangeStillApplies(koa: Koa.Context, etag: string, modified: Date): boolean {
  const ifRange = koa.get('if-range').trim();
  if (!ifRange) return true;
  if (ifRange.startsWith('"')) return ifRange === etag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(modified.getTime() / 1000) <= Math.floor(date / 1000);
}

/**
 * A storage stream once its first piece has come: bytes missing from storage are then a 404
 * before anything is answered, not a download cut short after its headers.
 */
async function opened(stream: Readable): Promise<Readable> {
  try {
    return (await peek(stream, { bytes: 1 }, () => undefined)).whole;
  } catch (err) {
    stream.destroy();
    if (isMissingBytes(err)) throw new NotFoundError('File');
    throw err;
  }
}

/**
 * Streams a stored file with HTTP's validators and ranges: `ETag` and `Last-Modified`, `304` for a
 * current copy, `206` with `Content-Range` for one range, `Accept-Ranges: bytes`. Memory per
 * download stays one storage piece, whatever the file's size.
 */
export async function sendStoredFile(koa: Koa.Context, file: StoredFile, status: (code: number) => void): Promise<Readable | Buffer> {
  const etag = file.etag;
  const modified = new Date(file.attachment.createdAt);
  koa.set('ETag', etag);
  koa.set('Last-Modified', modified.toUTCString());
  koa.set('Accept-Ranges', 'bytes');
  if (notModified(koa, etag, modified)) {
    status(304);
    return Buffer.alloc(0);
  }
  let range: ByteRange | null;
  try {
    range = rangeStillApplies(koa, etag, modified) ? requestedRange(koa.get('range'), file.size) : null;
  } catch (err) {
    koa.set('Content-Range', `bytes */${file.size}`);
    throw err;
  }
  if (file.size === 0) return Buffer.alloc(0);
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  const body = await opened(file.stream(start, end));
  if (range) {
    status(206);
    koa.set('Content-Range', `bytes ${start}-${end}/${file.size}`);
  }
  koa.length = end - start + 1;
  return body;
}
