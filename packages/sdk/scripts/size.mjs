// Measures what the SDK costs a browser app: dist/index.js bundled and minified (rolldown, which
// comes with vitest's vite), raw and gzip, with and without its dependencies. Run after a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { rolldown } from 'rolldown';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('dist/index.js is missing: build first (`npx tsc -b` at the repository root).');
  process.exit(1);
}

const variants = [
  { name: 'SDK only (socket.io-client and @confab/protocol external)', external: ['socket.io-client', '@confab/protocol'] },
  { name: 'SDK + @confab/protocol (socket.io-client external)', external: ['socket.io-client'] },
  { name: 'SDK + @confab/protocol + socket.io-client (everything)', external: [] },
];

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const rows = [];
for (const { name, external } of variants) {
  const bundle = await rolldown({
    input: entry,
    platform: 'browser',
    external: (id) => external.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    logLevel: 'silent',
  });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  await bundle.close();
  const code = output
    .filter((chunk) => chunk.type === 'chunk')
    .map((chunk) => chunk.code)
    .join('');
  rows.push({ bundle: name, minified: kb(Buffer.byteLength(code)), gzip: kb(gzipSync(code, { level: 9 }).length) });
}
console.table(rows);
