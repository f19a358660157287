import { PassThrough, type Readable } from 'node:stream';

import busboy from 'busboy';
import type Koa from 'koa';

import { AppError, ValidationError } from '../errors.js';
import { humanBytes } from '../services/uploads/sizes.js';

/** Room for the multipart envelope around the file. */
const ENVELOPE_BYTES = 64 * 1024;

/** The one file of a multipart body, as its bytes arrive. */
export interface IncomingFile {
  /** The name the client gave it (not trusted: only ever shown after `safeFileName`). */
  name: string;
  /** Its bytes; fails with `payload_too_large` past the limit, or when the body is cut short. */
  stream: Readable;
  /** What `Content-Length` says the whole body weighs, when it says. */
  declaredBytes: number | null;
}

export function oneFileOnly(): ValidationError {
  return new ValidationError('Send exactly one file, in the field "file"', [{ path: 'body.file', message: 'file is required' }]);
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `Files are limited to ${humanBytes(maxBytes)}`, { maxBytes });
}

/**
 * Hands the one file of a `multipart/form-data` body to `consume` while it is still arriving: no
 * temp file, no buffer of the whole. Past `maxBytes` the file's stream fails and the rest of the
 * body is read and dropped; the answer comes once the body has ended and had exactly one file.
 */
export async function receiveFile<T>(ctx: Koa.Context, maxBytes: number, consume: (file: IncomingFile) => Promise<T>): Promise<T> {
  if (!ctx.is('multipart/form-data')) throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data');
  const declaredBytes = ctx.request.length ?? null;
  if (declaredBytes !== null && declaredBytes > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: ctx.req.headers,
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 16 * 1024, parts: 12, headerPairs: 32 },
    });
  } catch (err) {
    throw new AppError('bad_request', `The upload could not be read: ${(err as Error).message}`);
  }
  const req = ctx.req;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let consumed: Promise<T> | null = null;
    let file: PassThrough | null = null;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      file?.destroy(err as Error);
      // Whatever is still coming is read and dropped, never kept.
      req.unpipe(parser);
      req.resume();
      // A client still sending a refused body gets its answer, then the connection closes.
      ctx.set('Connection', 'close');
      // Answer once the consumer has cleaned up what it had stored.
      if (consumed)
        void consumed.then(
          () => reject(err),
          () => reject(err),
        );
      else reject(err);
    };
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || file) {
        stream.resume();
        fail(oneFileOnly());
        return;
      }
      const out = new PassThrough();
      // Its consumer sees a failure through its own reads; the stream itself must not throw it again.
      out.on('error', () => undefined);
      file = out;
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      stream.pipe(out);
      consumed = consume({ name: info.filename ?? 'file', stream: out, declaredBytes });
      consumed.catch(fail);
    });
    parser.on('filesLimit', () => fail(oneFileOnly()));
    parser.on('partsLimit', () => fail(new AppError('bad_request', 'The upload has too many parts')));
    parser.on('fieldsLimit', () => fail(new AppError('bad_request', 'The upload has too many fields')));
    parser.on('error', (err: Error) => fail(new AppError('bad_request', `The upload could not be read: ${err.message}`)));
    parser.on('close', () => {
      if (!consumed) return fail(oneFileOnly());
      consumed.then((value) => {
        if (settled) return;
        settled = true;
        resolve(value);
      }, fail);
    });
    req.on('aborted', () => fail(new AppError('bad_request', 'The upload was cut short')));
    req.pipe(parser);
  });
}
