// Runs as the `version` lifecycle script (lerna version): keeps src/version.ts equal to package.json.
import { readFileSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const file = new URL('../src/version.ts', import.meta.url);
writeFileSync(
  file,
  `// Written by scripts/sync-version.mjs from package.json; do not edit.\nexport const WIDGET_VERSION = '${version}';\n`,
);
