#!/usr/bin/env node
// Writes installable tarballs of the published packages into one folder and prints their paths:
//   node scripts/pack.mjs [--out DIR] [--no-build]      (npm run pack; DIR defaults to dist-packages/)
// Install them together, before the packages are on the registry:
//   npm i ./dist-packages/confab-protocol-0.1.0.tgz ./dist-packages/confab-sdk-0.1.0.tgz
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['packages/protocol', 'packages/sdk', 'packages/widget', 'packages/server'];

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist-packages' }, 'no-build': { type: 'boolean', default: false } },
});
const out = resolve(values.out);

if (!values['no-build']) {
  const { status } = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--serve'], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

/** Every file a package's `exports`, `main`, `types` and `bin` name, so a tarball never points at nothing. */
function declaredFiles(pkg) {
  const found = [];
  const walk = (node) => {
    if (typeof node === 'string') found.push(node);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk([pkg.exports, pkg.main, pkg.module, pkg.types, pkg.bin]);
  return found.filter((path) => !path.includes('*'));
}

for (const dir of PACKAGES) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const missing = declaredFiles(pkg).filter((path) => !existsSync(join(root, dir, path)));
  if (missing.length) {
    process.stderr.write(`pack: ${pkg.name} declares files that are not built: ${missing.join(', ')}\n`);
    process.exit(1);
  }
}

mkdirSync(out, { recursive: true });
const npm = process.env.npm_execpath;
const args = ['pack', '--json', '--pack-destination', out, ...PACKAGES.flatMap((dir) => ['-w', dir])];
// Under `npm run`, reuse the npm that runs us; otherwise the one on PATH.
const json = npm ? execFileSync(process.execPath, [npm, ...args], { cwd: root }) : execFileSync('npm', args, { cwd: root });
const packed = JSON.parse(json.toString());
for (const { filename, size, entryCount } of packed) {
  const file = join(out, filename.replace(/^@([^/]+)\//, '$1-'));
  process.stdout.write(
    `${file.startsWith(process.cwd()) ? relative(process.cwd(), file) : file}\t${entryCount} files, ${(size / 1024).toFixed(1)} kB\n`,
  );
}
