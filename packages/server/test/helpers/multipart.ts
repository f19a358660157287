import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface MultipartFile {
  name: string;
  type: string;
  /** The form field (default `file`). */
  field?: string;
}

/**
 * A `multipart/form-data` body with one file, read from `content` only as fast as it is sent (no
 * Content-Length: the server learns the size at the end, as from a chunked client).
 */
export function multipartBody(
  content: Iterable<Buffer> | AsyncIterable<Buffer>,
  file: MultipartFile,
): { stream: Readable; headers: Record<string, string> } {
  const boundary = `----confab-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\n` +
      `Content-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* pieces() {
    yield head;
    yield* content;
    yield tail;
  }
  return {
    // Byte mode with a small buffer: one piece ahead at most.
    stream: Readable.from(pieces(), { objectMode: false, highWaterMark: 64 * 1024 }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * POSTs one file streamed from `content` with node:http, which waits for the socket to drain
 * (fetch reads a streamed body ahead of the socket, holding what it has read: 25 MiB seen here).
 */
export function postFile(
  url: string,
  headers: Record<string, string>,
  content: Iterable<Buffer> | AsyncIterable<Buffer>,
  file: MultipartFile,
): Promise<{ status: number; body: unknown }> {
  const multipart = multipartBody(content, file);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers: { ...headers, ...multipart.headers } }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      res.on('error', reject);
    });
    // A server refusing the body may answer and close before all of it is sent: the answer counts.
    pipeline(multipart.stream, req).catch((err: unknown) => answered || reject(err));
  });
}
