#!/usr/bin/env node
// Builds the workspace without Lerna/Nx: `tsc -b` (incremental) for the TypeScript projects, then
// the widget's Vite bundle only when a source it bundles is newer than dist/widget.js.
//   node scripts/build.mjs           everything (packages, bench, examples)
//   node scripts/build.mjs --serve   only what `confab-server start` serves: protocol, sdk, server, widget
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const SERVED = ['packages/protocol', 'packages/sdk', 'packages/server', 'packages/widget'];
const REST = ['bench', 'examples/bot', 'examples/host-backend'];
const WIDGET = join(root, 'packages/widget');
// What ends up inside dist/widget.js: the widget, and the SDK and protocol it bundles.
const WIDGET_INPUTS = [
  'packages/widget/src',
  'packages/sdk/src',
  'packages/protocol/src',
  'packages/widget/vite.config.ts',
  'packages/widget/package.json',
];

function run(label, bin, args, cwd = root) {
  const started = performance.now();
  const { status, error } = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'inherit' });
  if (error) throw error;
  if (status !== 0) {
    process.stderr.write(`build: ${label} failed (exit ${status})\n`);
    process.exit(status ?? 1);
  }
  return Math.round(performance.now() - started);
}

/** The newest modification time under `path` (a file or a folder), test files included. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function widgetIsFresh() {
  const bundle = join(WIDGET, 'dist/widget.js');
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return WIDGET_INPUTS.every((input) => newest(join(root, input)) <= built);
}

const serveOnly = process.argv.includes('--serve');
const projects = serveOnly ? SERVED : [...SERVED, ...REST];
const tsc = require.resolve('typescript/bin/tsc');
const ms = run('tsc -b', tsc, ['-b', ...projects]);
process.stdout.write(`build: tsc -b ${projects.length} projects (${ms} ms)\n`);

if (widgetIsFresh()) {
  process.stdout.write('build: widget bundle is up to date\n');
} else {
  // Chunk names carry a content hash: drop the old ones so the server does not keep serving them.
  rmSync(join(WIDGET, 'dist/widget-chunks'), { recursive: true, force: true });
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [WIDGET] })), 'bin/vite.js');
  const took = run('vite build', vite, ['build', '--logLevel', 'warn'], WIDGET);
  process.stdout.write(`build: ${relative(root, join(WIDGET, 'dist/widget.js'))} bundled (${took} ms)\n`);
}
