import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Context, Next } from 'koa';

import { createS3Client } from '../../src/services/uploads/s3-storage.js';

/** What these tests use of s3rver 3.7.1 (it ships no types). */
interface S3rverInstance {
  middleware: ((ctx: Context, next: Next) => Promise<unknown>)[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const storageUrl = (bucket: string, endpoint: string, prefix?: string) =>
  `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`;

export interface TestS3 {
  /** The STORAGE_URL of the bucket (with `prefix` when given). */
  url: string;
  endpoint: string;
  bucket: string;
  /** A client of the test's own, to look in the bucket behind the server's back. */
  client: S3Client;
  /** Every key in the bucket (prefix included). */
  keys(): Promise<string[]>;
  /** Multipart uploads begun and neither completed nor aborted: their parts still take room. */
  pendingUploads(): Promise<string[]>;
  /** Multipart parts stored so far (UploadPart answered). */
  partsStored(): number;
  /** Requests of this method the store has had so far. */
  requests(method: string): number;
  close(): Promise<void>;
}

/**
 * An S3-compatible server in this process (s3rver, on a temp directory) with one bucket, on an
 * ephemeral port of 127.0.0.1. Sets the AWS_* credentials the SDK's chain reads.
 */
export async function startTestS3(options: { bucket?: string; prefix?: string; partDelayMs?: number } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'confab-test';
  const dir = mkdtempSync(join(tmpdir(), 'confab-s3-'));
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const uploadsDir = join(dir, bucket, '._S3rver_uploads');
  // s3rver 3.7.1 answers AbortMultipartUpload with MethodNotAllowed; S3 drops the parts, so do that.
  server.middleware.unshift(async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string') return next();
    if (!/^[0-9a-f]{1,64}$/.test(uploadId)) {
      ctx.status = 400;
      return;
    }
    await rm(join(uploadsDir, uploadId), { recursive: true, force: true });
    ctx.status = 204;
  });
  const requests = new Map<string, number>();
  server.middleware.unshift(async (ctx, next) => {
    requests.set(ctx.method, (requests.get(ctx.method) ?? 0) + 1);
    await next();
  });
  let parts = 0;
  // A slow store: shows how far ahead of it an upload reads its body.
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'PUT' || typeof ctx.query.partNumber !== 'string') return next();
    await new Promise((resolve) => setTimeout(resolve, options.partDelayMs ?? 0));
    await next();
    if (ctx.status === 200) parts++;
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ endpoint });
  return {
    url: storageUrl(bucket, endpoint, options.prefix),
    endpoint,
    bucket,
    client,
    keys: async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    pendingUploads: () => readdir(uploadsDir).catch(() => []),
    partsStored: () => parts,
    requests: (method) => requests.get(method) ?? 0,
    close: async () => {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The same store in a child process (s3rver-process.mjs): its memory is not this process's. */
export async function startTestS3Process(bucket = 'confab-test'): Promise<{ url: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-s3-'));
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const child = fork(new URL('./s3rver-process.mjs', import.meta.url), [dir, bucket], { stdio: 'ignore', execArgv: [] });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return {
    url: storageUrl(bucket, `http://127.0.0.1:${port}`),
    close: async () => {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
