import { createHash, randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';

import type { AttachmentDto, AuthSessionDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { watchMemory } from './helpers/memory.js';
import { postFile } from './helpers/multipart.js';
import { startTestS3Process } from './helpers/s3.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * A 25 MiB file (the default MAX_UPLOAD_BYTES) goes up and comes back down through each storage
 * without the server holding it: the bytes move in pieces (256 KiB rows in PostgreSQL, 5 MiB parts
 * to S3, two in flight), so the retained heap grows by a fraction of the file, stated per storage.
 * The object store runs in a process of its own, so that only the server's memory is counted here.
 */

const MIB = 1024 * 1024;
const SIZE = 25 * MIB;
const PIECE = 256 * 1024;

interface Variant {
  label: string;
  /** The STORAGE_URL, or none for the default (PostgreSQL with DATABASE_URL, DATA_DIR/uploads without). */
  storage: () => Promise<{ url?: string; close(): Promise<void> }>;
  /** The stated bound on retained heap + buffers growth, MiB, for the upload and for the download. */
  boundMib: number;
}

const VARIANTS: Variant[] = [
  {
    label: process.env.DATABASE_URL ? 'PostgreSQL' : 'DATA_DIR (embedded)',
    storage: async () => ({ close: async () => undefined }),
    boundMib: 8,
  },
  // Five MiB parts, two uploading while the next one fills: 15 MiB of the body by design.
  { label: 'S3 (s3rver)', storage: startTestS3Process, boundMib: 22 },
];

/** A PDF by its magic bytes, then random (incompressible) pieces up to `size`, hashed as they go. */
function* pdfPieces(size: number, hash: ReturnType<typeof createHash>): Generator<Buffer> {
  const head = Buffer.from('%PDF-1.4\n', 'latin1');
  hash.update(head);
  yield head;
  for (let sent = head.length; sent < size; sent += PIECE) {
    const piece = randomBytes(Math.min(PIECE, size - sent));
    hash.update(piece);
    yield piece;
  }
}

describe.each(VARIANTS)('a 25 MiB file through $label storage', ({ label, storage, boundMib }) => {
  let store: Awaited<ReturnType<Variant['storage']>>;
  let server: TestServer;
  let ana: AuthSessionDto;

  beforeAll(async () => {
    store = await storage();
    server = await startTestServer({ env: store.url ? { STORAGE_URL: store.url } : {} });
    const tenant = await server.createTenant();
    ana = await server.member(tenant, 'memory-ana', { name: 'Ana' });
  });

  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it(`goes up and comes down with the server's retained memory growing under ${boundMib} MiB`, async () => {
    const sent = createHash('sha256');
    const upMemory = await watchMemory();
    const res = await postFile(`${server.url}/v1/uploads`, { authorization: `Bearer ${ana.accessToken}` }, pdfPieces(SIZE, sent), {
      name: 'big.pdf',
      type: 'application/pdf',
    });
    const up = upMemory.stop();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const file = res.body as AttachmentDto;
    expect(file.size).toBe(SIZE);

    const downMemory = await watchMemory();
    // node:http, like the upload: it reads the socket only as fast as this loop takes the pieces.
    const got = await new Promise<IncomingMessage>((resolve, reject) =>
      get(server.url + file.url, { headers: { authorization: `Bearer ${ana.accessToken}` } }, resolve).on('error', reject),
    );
    expect(got.statusCode).toBe(200);
    const received = createHash('sha256');
    let bytes = 0;
    for await (const piece of got as AsyncIterable<Buffer>) {
      received.update(piece);
      bytes += piece.length;
    }
    const down = downMemory.stop();
    expect(bytes).toBe(SIZE);
    expect(received.digest('hex')).toBe(sent.digest('hex'));

    console.log(
      `25 MiB through ${label} storage: ` +
        `retained heap + buffers grew +${up.growthMib.toFixed(1)} MiB uploading (${up.samples} samples), ` +
        `+${down.growthMib.toFixed(1)} MiB downloading (${down.samples} samples); bound ${boundMib} MiB`,
    );
    expect(up.samples).toBeGreaterThan(3);
    expect(down.samples).toBeGreaterThan(3);
    expect(up.growthMib).toBeLessThan(boundMib);
    expect(down.growthMib).toBeLessThan(boundMib);
  }, 120_000);
});
