import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { WIDGET_VERSION } from './version.js';

describe('WIDGET_VERSION', () => {
  it('equals the package version, which lerna bumps together with the other packages', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(WIDGET_VERSION).toBe(version);
  });
});
