import { Readable } from 'node:stream';

import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import { MissingBytesError, type UploadStorage } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** Put before every key (`prefix/key`); '' or absent for none. */
  prefix?: string;
  /** An S3-compatible service; absent or null for AWS. */
  endpoint?: string | null;
  region?: string | null;
  forcePathStyle?: boolean;
  /** A client of the caller's (tests); otherwise one from these options and the SDK's credential chain. */
  client?: S3Client;
}

/** Multipart parts: S3's smallest. An upload holds at most (queue + 1) parts in memory. */
export const S3_PART_BYTES = 5 * 1024 * 1024;
const S3_QUEUE = 2;

export function createS3Client(options: Omit<S3StorageOptions, 'client' | 'bucket' | 'prefix'>): S3Client {
  const config: S3ClientConfig = {
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    // Default CRC32 checksums (SDK ≥ 3.729) are refused by several S3-compatible services.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  // Self-hosted services ignore the region but the signature needs one.
  const region = options.region ?? (options.endpoint ? 'us-east-1' : null);
  if (region) config.region = region;
  return new S3Client(config);
}

/** The object is not there; a missing bucket is a misconfiguration, never "nothing to delete". */
function isMissing(err: unknown): boolean {
  const { name, $metadata } = (err ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NotFound' || name === 'NoSuchKey' || ($metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket');
}

/**
 * A stream handed out at once whose `length` bytes come from `open` on the first read: the
 * request is made only when someone reads, and destroying the stream aborts it. More bytes than
 * asked for are cut off (some S3 look-alikes answer `bytes=0-0` with the whole object); fewer fail.
 */
function lazyStream(length: number, open: (signal: AbortSignal) => Promise<Readable>): Readable {
  const controller = new AbortController();
  let source: Readable | null = null;
  let opening = false;
  let remaining = length;
  const out = new Readable({
    read() {
      if (source) {
        source.resume();
        return;
      }
      if (opening) return;
      opening = true;
      open(controller.signal).then(
        (body) => {
          if (out.destroyed) {
            body.destroy();
            return;
          }
          source = body;
          body.on('data', (chunk: Buffer) => {
            if (remaining <= 0) return;
            const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
            remaining -= piece.length;
            const more = out.push(piece);
            // The rest of an over-long answer drains unread, so the connection can be reused.
            if (remaining === 0) out.push(null);
            else if (!more) body.pause();
          });
          body.once('end', () => {
            if (remaining > 0) out.destroy(new Error(`The object store sent ${length - remaining} of ${length} bytes`));
          });
          body.once('error', (err) => {
            if (remaining > 0) out.destroy(err);
          });
        },
        (err: Error) => out.destroy(err),
      );
    },
    destroy(err, callback) {
      controller.abort();
      source?.destroy();
      callback(err);
    },
  });
  return out;
}

/** Upload bytes in an S3 bucket (AWS, MinIO, R2, Ceph...); credentials from the SDK's chain (AWS_* variables). */
export function createS3Storage(options: S3StorageOptions): UploadStorage {
  const client = options.client ?? createS3Client(options);
  const Bucket = options.bucket;
  const prefix = options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  const Key = (key: string) => prefix + key;

  return {
    kind: 's3',
    async write(key, body) {
      let total = 0;
      let bodyError: unknown = null;
      async function* counted() {
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            total += chunk.length;
            yield chunk;
          }
        } catch (err) {
          bodyError = err;
          throw err;
        }
      }
      const upload = new Upload({
        client,
        params: { Bucket, Key: Key(key), Body: Readable.from(counted(), { objectMode: false }) },
        partSize: S3_PART_BYTES,
        queueSize: S3_QUEUE,
        // Parts of a failed upload are aborted by lib-storage (AbortMultipartUpload).
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (err) {
        body.destroy();
        // The body's own error (cut off, too large) is the one the caller must see, not the abort's.
        if (bodyError) {
          if (bodyError instanceof Error && bodyError !== err && bodyError.cause === undefined) bodyError.cause = err;
          throw bodyError;
        }
        throw err;
      }
      return total;
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: Key(key) }));
        return head.ContentLength ?? 0;
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    stream(key, start, end) {
      return lazyStream(end - start + 1, async (abortSignal) => {
        const get = new GetObjectCommand({ Bucket, Key: Key(key), Range: `bytes=${start}-${end}` });
        const res = await client.send(get, { abortSignal }).catch((err: unknown) => {
          throw isMissing(err) ? new MissingBytesError(key) : err;
        });
        if (!(res.Body instanceof Readable)) throw new Error(`S3 answered ${key} without a Node stream`);
        return res.Body;
      });
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: Key(key) }));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },
    async presign(key, { expiresInSeconds, contentType, contentDisposition }) {
      const command = new GetObjectCommand({
        Bucket,
        Key: Key(key),
        ResponseContentType: contentType,
        ResponseContentDisposition: contentDisposition,
      });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },
    close() {
      // A client handed in is its owner's to close.
      if (!options.client) client.destroy();
    },
  };
}
