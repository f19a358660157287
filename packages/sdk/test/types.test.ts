import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// Compiles usage.ts against dist (built by `npm run build` / `tsc -b`), as an npm consumer would, and
// http-types.ts: REST calls typed from the route table, with the misuses that must not compile.
it('gives a consumer full types: the usage example compiles and every misuse fails', () => {
  const tsc = spawnSync('node_modules/.bin/tsc', ['-p', 'packages/sdk/test/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  expect(tsc.error).toBeUndefined();
  expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
  expect(tsc.status).toBe(0);
}, 60_000);
