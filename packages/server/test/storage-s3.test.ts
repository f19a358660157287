import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AttachmentDto, AuthSessionDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createS3Storage, S3_PART_BYTES } from '../src/services/uploads/s3-storage.js';
import { MissingBytesError, readWhole, type UploadStorage } from '../src/services/uploads/storage.js';
import { parseStorageUrl } from '../src/services/uploads/storage-url.js';
import { postFile } from './helpers/multipart.js';
import { startTestS3, type TestS3 } from './helpers/s3.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';

/**
 * Upload bytes in S3-compatible object storage (`STORAGE_URL=s3://...`), against an in-process
 * S3 server (s3rver): streamed multipart writes that leave nothing behind when cut off, ranged
 * reads, deletes from housekeeping and erasure, nodes sharing a bucket, presigned redirects.
 */

const MIB = 1024 * 1024;

function pdfOf(size: number): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(size), Buffer.from('\n%%EOF\n', 'latin1')]);
}

async function bodyOf(s3: TestS3, key: string): Promise<Buffer> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3({ prefix: 'confab/test' });
});

afterAll(async () => {
  await s3?.close();
});

describe('S3 storage', () => {
  let storage: UploadStorage;
  beforeAll(() => {
    const location = parseStorageUrl(s3.url);
    if (location.kind !== 's3') throw new Error('not an s3 STORAGE_URL');
    storage = createS3Storage(location);
  });

  it('writes a stream in parts under the prefix, then answers its size, any range, and deletes it', async () => {
    const key = randomUUID();
    const bytes = randomBytes(2 * S3_PART_BYTES + 12_345);
    // Uneven pieces, as a multipart parser hands them over.
    const pieces = [bytes.subarray(0, 1000), bytes.subarray(1000, 7 * MIB), bytes.subarray(7 * MIB)];
    expect(await storage.write(key, Readable.from(pieces))).toBe(bytes.length);
    expect(await s3.keys()).toContain(`confab/test/${key}`);
    expect((await bodyOf(s3, `confab/test/${key}`)).equals(bytes)).toBe(true);
    expect(await storage.size(key)).toBe(bytes.length);
    for (const [start, end] of [
      [0, 0],
      [S3_PART_BYTES - 10, S3_PART_BYTES + 10],
      [bytes.length - 5, bytes.length - 1],
    ] as const) {
      const parts: Buffer[] = [];
      for await (const part of storage.stream(key, start, end)) parts.push(part as Buffer);
      expect(Buffer.concat(parts).equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    await storage.delete(key);
    expect(await storage.size(key)).toBeNull();
    expect(await s3.keys()).not.toContain(`confab/test/${key}`);
    // Deleting what is not there is not an error.
    await storage.delete(key);
  });

  it('reads the body at most a few parts ahead of what the store has taken', async () => {
    const slow = await startTestS3({ bucket: 'confab-slow', partDelayMs: 100 });
    try {
      const location = parseStorageUrl(slow.url);
      if (location.kind !== 's3') throw new Error('not an s3 STORAGE_URL');
      const slowStorage = createS3Storage(location);
      const total = 8 * S3_PART_BYTES;
      let pulled = 0;
      let ahead = 0;
      const body = new Readable({
        read() {
          ahead = Math.max(ahead, pulled - slow.partsStored() * S3_PART_BYTES);
          if (pulled >= total) return void this.push(null);
          const piece = randomBytes(Math.min(256 * 1024, total - pulled));
          pulled += piece.length;
          this.push(piece);
        },
      });
      expect(await slowStorage.write(randomUUID(), body)).toBe(total);
      expect(slow.partsStored()).toBe(8);
      // Two parts in flight and one being filled, plus the stream's own buffers.
      expect(ahead).toBeLessThanOrEqual(4 * S3_PART_BYTES);
      console.log(`read at most ${(ahead / MIB).toFixed(1)} MiB ahead of the store`);
    } finally {
      await slow.close();
    }
  });

  it('keeps a small and an empty file as single objects', async () => {
    const [small, empty] = [randomUUID(), randomUUID()];
    expect(await storage.write(small, Readable.from([Buffer.from('hello')]))).toBe(5);
    expect(await storage.write(empty, Readable.from([]))).toBe(0);
    expect((await readWhole(storage, small))?.toString()).toBe('hello');
    expect(await storage.size(empty)).toBe(0);
    expect(await storage.size(randomUUID())).toBeNull();
  });

  it('leaves nothing in the bucket, nor parts, when the body fails, and rethrows the body’s error', async () => {
    const before = await s3.keys();
    for (const sent of [S3_PART_BYTES + 1, 1000]) {
      const key = randomUUID();
      async function* cutOff() {
        yield randomBytes(sent);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('the client went away');
      }
      await expect(storage.write(key, Readable.from(cutOff()))).rejects.toThrow('the client went away');
      expect(await storage.size(key)).toBeNull();
    }
    expect(await s3.keys()).toEqual(before);
    expect(await s3.pendingUploads()).toEqual([]);
  });

  it('reports a missing bucket instead of taking it for a missing object', async () => {
    const location = parseStorageUrl(s3.url);
    if (location.kind !== 's3') throw new Error('not an s3 STORAGE_URL');
    const misnamed = createS3Storage({ ...location, bucket: 'no-such-bucket' });
    await expect(misnamed.delete(randomUUID())).rejects.toThrow(/bucket/i);
    await expect(misnamed.write(randomUUID(), Readable.from([Buffer.from('x')]))).rejects.toThrow(/bucket/i);
  });

  it('hands out a stream at once that fails when read if the object is gone', async () => {
    const stream = storage.stream(randomUUID(), 0, 9);
    expect(stream).toBeInstanceOf(Readable);
    // As every storage says it: the download then answers 404 rather than a cut-short file.
    await expect(readWhole({ ...storage, size: async () => 10, stream: () => stream }, 'x')).rejects.toBeInstanceOf(MissingBytesError);
  });

  it('presigns a GET that serves the bytes with the type and disposition asked for', async () => {
    const key = randomUUID();
    await storage.write(key, Readable.from([Buffer.from('%PDF-1.4 tiny')]));
    const url = await storage.presign!(key, {
      expiresInSeconds: 60,
      contentType: 'application/pdf',
      contentDisposition: 'attachment; filename="report.pdf"',
    });
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/confab/test/${key}?`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report.pdf"');
    expect(await res.text()).toBe('%PDF-1.4 tiny');
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
  });
});

describe('a server with STORAGE_URL=s3://', () => {
  let server: TestServer;
  let ana: AuthSessionDto;

  const upload = async (node: TestServer, session: AuthSessionDto, content: Buffer, name = 'doc.pdf'): Promise<AttachmentDto> => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(content)], { type: 'application/pdf' }), name);
    const res = await fetch(`${node.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}` },
      body: form,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as AttachmentDto;
  };
  const get = (node: TestServer, session: AuthSessionDto, path: string, headers: Record<string, string> = {}) =>
    fetch(node.url + path, { headers: { authorization: `Bearer ${session.accessToken}`, ...headers }, redirect: 'manual' });
  const objectKey = (file: AttachmentDto) => `confab/test/${file.id}`;

  beforeAll(async () => {
    server = await startTestServer({ env: { STORAGE_URL: s3.url, MAX_UPLOAD_BYTES: String(16 * MIB) } });
    const tenant = await server.createTenant();
    ana = await server.member(tenant, 's3-ana', { name: 'Ana' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('keeps an upload in the bucket and serves it whole and by range', async () => {
    const bytes = pdfOf(6 * MIB);
    const file = await upload(server, ana, bytes);
    expect(await s3.keys()).toContain(objectKey(file));
    expect((await bodyOf(s3, objectKey(file))).equals(bytes)).toBe(true);
    // Not a row of chunks in PostgreSQL.
    expect(await server.db('upload_chunks').where({ key: file.id }).first()).toBeUndefined();

    const heads = s3.requests('HEAD');
    const whole = await get(server, ana, file.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const [start, end] = [S3_PART_BYTES - 100, S3_PART_BYTES + 99];
    const part = await get(server, ana, file.url, { range: `bytes=${start}-${end}` });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
    // The size comes from the file's row: a download is one GET to the store, no HEAD before it.
    expect(s3.requests('HEAD')).toBe(heads);
  });

  it('leaves nothing in the bucket when an upload without Content-Length runs past the limit', async () => {
    const [before, partsBefore] = [await s3.keys(), s3.partsStored()];
    const content = pdfOf(20 * MIB);
    const pieces = Array.from({ length: Math.ceil(content.length / MIB) }, (_, i) => content.subarray(i * MIB, (i + 1) * MIB));
    const res = await postFile(`${server.url}/v1/uploads`, { authorization: `Bearer ${ana.accessToken}` }, pieces, {
      name: 'big.pdf',
      type: 'application/pdf',
    });
    expect(res.status).toBe(413);
    // Parts were stored before the limit was reached (16 MiB is three of them), and then aborted.
    expect(s3.partsStored() - partsBefore).toBeGreaterThanOrEqual(2);
    expect(await s3.keys()).toEqual(before);
    expect(await s3.pendingUploads()).toEqual([]);
  });

  it('removes an abandoned upload from the bucket in housekeeping, and keeps a recent one', async () => {
    const [abandoned, recent] = [await upload(server, ana, pdfOf(1000)), await upload(server, ana, pdfOf(1000))];
    await server
      .db('attachments')
      .where({ id: abandoned.id })
      .update({ created_at: server.db.raw(`now() - interval '2 days'`) });
    const result = await server.app.housekeeping.sweep();
    expect(result.uploads).toBe(1);
    const keys = await s3.keys();
    expect(keys).not.toContain(objectKey(abandoned));
    expect(keys).toContain(objectKey(recent));
    expect((await get(server, ana, abandoned.url)).status).toBe(404);
  });

  it('deletes the objects of an erased user', async () => {
    const tenant = await server.createTenant();
    const guest = await server.guest(tenant, 'Leaving');
    const files = [await upload(server, guest, pdfOf(500)), await upload(server, guest, pdfOf(500))];
    expect(await s3.keys()).toEqual(expect.arrayContaining(files.map(objectKey)));
    expectStatus(await server.request('DELETE', '/v1/me', { token: guest.accessToken }), 200);
    const keys = await s3.keys();
    for (const file of files) expect(keys).not.toContain(objectKey(file));
  });

  it.skipIf(!process.env.DATABASE_URL)('serves files uploaded through another node sharing the bucket', async () => {
    const peer = await startTestServer({ peer: server, env: { STORAGE_URL: s3.url, MAX_UPLOAD_BYTES: String(16 * MIB) } });
    try {
      const fromPeer = pdfOf(2 * MIB);
      const fromFirst = pdfOf(3000);
      const onPeer = await upload(peer, ana, fromPeer);
      const onFirst = await upload(server, ana, fromFirst);
      for (const [node, file, bytes] of [
        [server, onPeer, fromPeer],
        [peer, onFirst, fromFirst],
      ] as const) {
        const res = await get(node, ana, file.url);
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      }
    } finally {
      await peer.close();
    }
  });

  it('with STORAGE_DOWNLOADS=redirect answers 302 to a presigned URL that serves the file', async () => {
    const redirecting = await startTestServer({ env: { STORAGE_URL: s3.url, STORAGE_DOWNLOADS: 'redirect' } });
    try {
      const tenant = await redirecting.createTenant();
      const bea = await redirecting.member(tenant, 's3-bea', { name: 'Bea' });
      const bytes = pdfOf(4000);
      const file = await upload(redirecting, bea, bytes, 'Quarterly report.pdf');
      const res = await get(redirecting, bea, file.url);
      expect(res.status).toBe(302);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const location = res.headers.get('location') ?? '';
      expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/${objectKey(file)}?`)).toBe(true);
      expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');
      const fetched = await fetch(location);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toBe('application/pdf');
      // The same disposition a streamed download has.
      expect(fetched.headers.get('content-disposition')).toBe(`attachment; filename="confab-${file.id.slice(0, 8)}.pdf"`);
      expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);
      // Who may not read the file still gets no URL.
      const stranger = await redirecting.member(tenant, 's3-stranger');
      const refused = await get(redirecting, stranger, file.url);
      expect(refused.status).toBe(404);
      expect(refused.headers.get('location')).toBeNull();
    } finally {
      await redirecting.close();
    }
  });
});
