import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import type { ScenarioResult } from '../report.js';

const KB = 1024;
const FLOOR_ENTRY = fileURLToPath(new URL('../../floor/entry.js', import.meta.url));

/** Bytes on the wire for one asset as the server sends it with this Accept-Encoding. */
function transferred(url: string, encoding: string): Promise<{ bytes: number; encoding: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
        const body = Buffer.concat(chunks);
        resolve({ bytes: body.length, encoding: String(res.headers['content-encoding'] ?? 'identity'), body });
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** Relative modules a file imports statically (what the browser fetches before running it). */
function staticImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g)].flatMap(([, path]) => (path ? [path] : []));
}

/** Lit + socket.io-client, minified by the same Vite the widget is built with. */
async function floorBundle(): Promise<Buffer> {
  const { build } = await import('vite');
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: true, lib: { entry: FLOOR_ENTRY, formats: ['es'], fileName: 'floor' } },
  })) as { output: { type: string; code?: string }[] } | { output: { type: string; code?: string }[] }[];
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  return Buffer.from(chunks.map((c) => c.code ?? '').join('\n'));
}

export async function p5Embed(ctx: BenchContext): Promise<ScenarioResult> {
  const node = await startConfab(ctx.env, 'p5-confab');
  try {
    const url = `${node.url}/widget.js`;
    const identity = await transferred(url, 'identity');
    const imports = staticImports(identity.body.toString());
    // Everything loaded before the chat opens: widget.js and whatever it imports statically.
    const assets = [url, ...imports.map((spec) => new URL(spec, url).toString())];
    const total = async (encoding: string) => {
      let bytes = 0;
      for (const asset of assets) {
        const got = await transferred(asset, encoding);
        if (encoding !== 'identity' && got.encoding !== encoding)
          throw new Error(`${asset} was not sent with ${encoding} (got ${got.encoding})`);
        bytes += got.bytes;
      }
      return bytes;
    };
    const gzip = await total('gzip');
    const brotli = await total('br');
    const floor = await floorBundle();
    const floorGzip = gzipSync(floor, { level: 9 }).length;
    const floorBrotli = (await import('node:zlib')).brotliCompressSync(floor).length;
    ctx.log(`  widget.js ${identity.bytes} B raw, ${gzip} B gzip, ${brotli} B brotli; floor ${floorGzip} B gzip`);
    return {
      id: 'P5',
      title: 'embed cost: what a page loads before the visitor opens the chat',
      baseline: 'floor: Lit + socket.io-client, minified',
      rows: [
        { metric: 'files loaded before opening', confab: assets.length, baseline: 1 },
        { metric: 'raw', confab: identity.bytes / KB, baseline: floor.length / KB, unit: 'KB' },
        { metric: 'gzip (as served)', confab: gzip / KB, baseline: floorGzip / KB, unit: 'KB', better: 'lower' },
        { metric: 'brotli (as served)', confab: brotli / KB, baseline: floorBrotli / KB, unit: 'KB', better: 'lower' },
      ],
      target: { text: 'widget.js ≤ 25 KB gzip', met: gzip <= 25 * KB },
      notes: [
        'sizes are the bytes the Confab server sends for /widget.js with Accept-Encoding gzip and br; ' +
          'the chat itself (SDK, socket.io-client, message view) loads when the visitor opens it',
      ],
      raw: { assets, identity: identity.bytes, gzip, brotli, floor: { raw: floor.length, gzip: floorGzip, brotli: floorBrotli } },
    };
  } finally {
    await node.stop();
  }
}
