import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AuthSessionDto } from '@confab/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { replyError, startTestServer, type TestServer } from './helpers/server.js';

// Uploads are staged under os.tmpdir(); this file gives its process a private one to watch.
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
    if (dir === TEMP_ROOT && server && path === server.config.dataDir) continue;
    if (statSync(path).isDirectory()) out.push(...stagedFiles(path));
    else out.push(path);
  }
  return out;
}

async function eventually(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
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
  await eventually('the good upload left nothing behind', () => stagedFiles().length === 0);
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
  // Cut once the server is writing the file to its temp directory...
  await sendHalfAndDisconnect(() => eventually('the upload is being staged', () => stagedFiles().length > 0));
  await eventually('the staged file is removed', () => stagedFiles().length === 0);
  // ...and right away, while the temp file may still be being opened.
  for (let i = 0; i < 10; i++) await sendHalfAndDisconnect(() => new Promise((resolve) => setImmediate(resolve)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await eventually('every staged file is removed', () => stagedFiles().length === 0);
  await expectStillServing();
});

it('refuses a body with two files with 422 and removes both staged files', async () => {
  const res = await post(
    Buffer.concat([part('file', 'one.bin', Buffer.alloc(20_000, 1)), part('other', 'two.bin', Buffer.alloc(20_000, 2)), closing]),
  );
  await eventually('the staged files are removed', () => stagedFiles().length === 0);
  expect({ status: res.status, code: replyError(res.body)?.code }).toEqual({ status: 422, code: 'validation_failed' });
  await expectStillServing();
});

it('refuses a file over MAX_UPLOAD_BYTES that passed the Content-Length check with 413 and removes what was staged', async () => {
  const res = await post(Buffer.concat([part('file', 'huge.bin', Buffer.alloc(MAX_UPLOAD_BYTES + 30_000, 3)), closing]));
  // The server may answer before it read the whole body; then the client sees the connection cut.
  expect([0, 413]).toContain(res.status);
  if (res.status) expect(replyError(res.body)?.code).toBe('payload_too_large');
  await eventually('the staged file is removed', () => stagedFiles().length === 0);
  await expectStillServing();
});
