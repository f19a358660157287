import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import type { AuthSessionDto } from '@confab/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { replyError, startTestServer, type TestServer } from './helpers/server.js';

// Uploads stream to storage and stage nothing under os.tmpdir(); this file gives its process a private one
// to watch, and watches the storage (DATA_DIR/uploads, or upload_chunks in PostgreSQL) for leftovers too.
const previousTmpdir = process.env.TMPDIR;
const TEMP_ROOT = mkdtempSync(join(tmpdir(), 'confab-upload-temp-test-'));
process.env.TMPDIR = TEMP_ROOT;

const MAX_UPLOAD_BYTES = 100_000;
let server: TestServer;
let ana: AuthSessionDto;

beforeAll(async () => {
  expect(tmpdir()).toBe(TEMP_ROOT);
  server = await startTestServer({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
  ana = await server.member(await server.createTenant(), 'ana');
});

afterAll(async () => {
  await server?.close();
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  rmSync(TEMP_ROOT, { recursive: true, force: true });
});

/** Files under the temp root, except the test server's own data directory. */
function stagedFiles(dir = TEMP_ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (dir === TEMP_ROOT && server && path === server.config.dataDir) {
      // Stored files of recorded uploads are not leftovers; anything else there is.
      if (existsSync(join(path, 'uploads')))
        out.push(...stagedFiles(join(path, 'uploads')).filter((file) => !recorded.has(basename(file))));
      continue;
    }
    if (statSync(path).isDirectory()) out.push(...stagedFiles(path));
    else out.push(path);
  }
  return out;
}

/** Storage keys of the uploads recorded as attachments, as last read by `leftovers`. */
let recorded = new Set<string>();

/** Staged files, and stored bytes (files or PostgreSQL chunks) of no recorded upload. */
async function leftovers(): Promise<number> {
  const keys: { storageKey: string; thumbKey: string | null }[] = await server.db('attachments').select('storage_key', 'thumb_key');
  recorded = new Set(keys.flatMap((k) => (k.thumbKey ? [k.storageKey, k.thumbKey] : [k.storageKey])));
  const chunks = server.config.databaseUrl
    ? Number(
        (
          await server
            .db('upload_chunks')
            .whereNotIn('key', [...recorded, ''])
            .count({ n: '*' })
        )[0]!.n,
      )
    : 0;
  return stagedFiles().length + chunks;
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}: ${JSON.stringify(stagedFiles())}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const BOUNDARY = '----confab-temp-test';
const part = (field: string, name: string, bytes: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    bytes,
    Buffer.from('\r\n'),
  ]);
const closing = Buffer.from(`--${BOUNDARY}--\r\n`);

/** Posts a multipart body; resolves with the status, or with 0 when the connection was cut. */
function post(body: Buffer, declaredLength = body.length): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `${server.url}/v1/uploads`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ana.accessToken}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': String(declaredLength),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: null }));
    req.end(body);
  });
}

async function expectStillServing(): Promise<void> {
  const ok = await post(Buffer.concat([part('file', 'ok.txt', Buffer.from('still serving\n'.repeat(50))), closing]));
  expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  await eventually('the good upload left nothing behind', async () => (await leftovers()) === 0);
}

/** Declares the whole multipart body, sends `sent` bytes of it, and cuts the connection when `cut` resolves. */
async function sendHalfAndDisconnect(cut: () => Promise<void>): Promise<void> {
  const whole = part('file', 'big.bin', Buffer.alloc(90_000, 1));
  const req = httpRequest(`${server.url}/v1/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ana.accessToken}`,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(whole.length + closing.length),
    },
  });
  req.on('error', () => undefined);
  req.write(whole.subarray(0, 45_000));
  await cut();
  req.destroy();
}

it('removes the partly written file of an upload whose client sends half its body and disconnects', async () => {
  // Cut once the server has had time to take in what was sent...
  await sendHalfAndDisconnect(() => new Promise((resolve) => setTimeout(resolve, 100)));
  await eventually('nothing is left stored', async () => (await leftovers()) === 0);
  // ...and right away, while the upload is still being opened.
  for (let i = 0; i < 10; i++) await sendHalfAndDisconnect(() => new Promise((resolve) => setImmediate(resolve)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await eventually('nothing is left stored', async () => (await leftovers()) === 0);
  await expectStillServing();
});

it('refuses a body with two files with 422 and removes both staged files', async () => {
  const res = await post(
    Buffer.concat([part('file', 'one.bin', Buffer.alloc(20_000, 1)), part('other', 'two.bin', Buffer.alloc(20_000, 2)), closing]),
  );
  await eventually('the staged files are removed', async () => (await leftovers()) === 0);
  expect({ status: res.status, code: replyError(res.body)?.code }).toEqual({ status: 422, code: 'validation_failed' });
  await expectStillServing();
});

it('refuses a file over MAX_UPLOAD_BYTES that passed the Content-Length check with 413 and removes what was staged', async () => {
  const res = await post(Buffer.concat([part('file', 'huge.bin', Buffer.alloc(MAX_UPLOAD_BYTES + 30_000, 3)), closing]));
  // The server may answer before it read the whole body; then the client sees the connection cut.
  expect([0, 413]).toContain(res.status);
  if (res.status) expect(replyError(res.body)?.code).toBe('payload_too_large');
  await eventually('the staged file is removed', async () => (await leftovers()) === 0);
  await expectStillServing();
});
