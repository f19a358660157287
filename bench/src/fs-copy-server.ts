// U1's baseline: the same files copied by plain fs streams, in a process of its own (with the
// probe, so its memory is read as Confab's is). `POST /copy?from=DIR&to=DIR` copies every file of
// one directory into the other, all at once; `POST /read?dir=DIR` reads every file back, all at
// once, and answers their SHA-256 digests. Each answers the milliseconds the work took.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

async function copyAll(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  const names = await readdir(from);
  await Promise.all(names.map((name) => pipeline(createReadStream(join(from, name)), createWriteStream(join(to, name)))));
}

async function readAll(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir);
  const digests = await Promise.all(
    names.map(async (name) => {
      const hash = createHash('sha256');
      for await (const piece of createReadStream(join(dir, name))) hash.update(piece as Buffer);
      return [name, hash.digest('hex')] as const;
    }),
  );
  return Object.fromEntries(digests);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  const started = process.hrtime.bigint();
  const work =
    url.pathname === '/copy'
      ? copyAll(url.searchParams.get('from') ?? '', url.searchParams.get('to') ?? '').then(() => ({}))
      : url.pathname === '/read'
        ? readAll(url.searchParams.get('dir') ?? '').then((digests) => ({ digests }))
        : Promise.reject(new Error(`no ${url.pathname}`));
  work.then(
    (result) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ms, ...result }));
    },
    (err: Error) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: err.message }));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
