// What the widget costs a page: widget.js (all a visitor downloads before opening the chat),
// then what opening it adds, raw, gzip and brotli. Run after a build (`npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
if (!existsSync(new URL('widget.js', dist))) {
  console.error('dist/widget.js is missing: run `npm run build -w @confab/widget` first.');
  process.exit(1);
}

const read = (path) => readFileSync(new URL(path, dist));
/** The chunks a file imports statically, transitively (what loading it pulls in). */
function closure(path, seen = new Set()) {
  if (seen.has(path)) return seen;
  seen.add(path);
  const text = read(path).toString();
  const base = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport)\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g)) {
    closure(new URL(spec, new URL(base, 'file:///')).pathname.slice(1), seen);
  }
  return seen;
}
const sizes = (paths) => {
  const body = Buffer.concat([...paths].map(read));
  return {
    raw: body.length,
    gzip: [...paths].reduce((n, p) => n + gzipSync(read(p), { level: 9 }).length, 0),
    brotli: [...paths].reduce((n, p) => n + brotliCompressSync(read(p), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0),
  };
};

const entry = read('widget.js').toString();
const lazy = (name) =>
  [...entry.matchAll(/import\(["'`](\.\/widget-chunks\/[^"'`]+\.js)["'`]\)/g)].map((m) => m[1].slice(2)).find((p) => p.includes(name));
// widget.js and what it imports statically (the bundler may put shared code, Lit itself, in a chunk).
const eager = closure('widget.js');
const visitorChunks = closure(lazy('visitor-session'));
const inboxChunks = closure(lazy('inbox-app'));
for (const path of eager) {
  visitorChunks.delete(path);
  inboxChunks.delete(path);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ['widget.js: before the chat opens (budget 25 KB gzip)', sizes(eager)],
  ['+ chunks loaded when a visitor opens the chat', sizes(visitorChunks)],
  ['= a visitor with the chat open', sizes([...eager, ...visitorChunks])],
  ['<chat-inbox>: widget.js + inbox chunks', sizes([...eager, ...inboxChunks])],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${'what'.padEnd(width)}  ${'raw'.padStart(9)}  ${'gzip'.padStart(9)}  ${'brotli'.padStart(9)}`);
for (const [name, s] of rows)
  console.log(`${name.padEnd(width)}  ${kb(s.raw).padStart(9)}  ${kb(s.gzip).padStart(9)}  ${kb(s.brotli).padStart(9)}`);
const json = Object.fromEntries(rows.map(([name, s]) => [name, s]));
if (process.argv.includes('--json')) console.log(JSON.stringify(json));
