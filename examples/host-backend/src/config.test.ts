import { describe, expect, it } from 'vitest';

import { ConfigError, readConfig } from './config.js';

describe('readConfig', () => {
  it('fails fast, naming every missing variable, when the app id or secret is missing', () => {
    expect(() => readConfig({})).toThrow(ConfigError);
    expect(() => readConfig({})).toThrow(/CONFAB_APP is required[\s\S]*CONFAB_APP_SECRET is required/);
    expect(() => readConfig({ CONFAB_APP: 'shop', CONFAB_APP_SECRET: '  ' })).toThrow(/CONFAB_APP_SECRET/);
  });

  it('refuses a malformed port or Confab URL', () => {
    const base = { CONFAB_APP: 'shop', CONFAB_APP_SECRET: 's3cret' };
    expect(() => readConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => readConfig({ ...base, CONFAB_URL: 'localhost:3000' })).toThrow(/CONFAB_URL/);
  });

  it('uses the defaults and makes a random session secret (flagged) when none is set', () => {
    const a = readConfig({ CONFAB_APP: 'shop', CONFAB_APP_SECRET: 's3cret' });
    const b = readConfig({ CONFAB_APP: 'shop', CONFAB_APP_SECRET: 's3cret' });
    expect(a).toMatchObject({ port: 8082, confabUrl: 'http://localhost:3000', appId: 'shop', sessionSecretGenerated: true });
    expect(a.sessionSecret).not.toBe(b.sessionSecret);
    const fixed = readConfig({
      CONFAB_APP: 'shop',
      CONFAB_APP_SECRET: 's3cret',
      SESSION_SECRET: 'x'.repeat(32),
      CONFAB_URL: 'https://chat.example.com/',
    });
    expect(fixed).toMatchObject({ sessionSecret: 'x'.repeat(32), sessionSecretGenerated: false, confabUrl: 'https://chat.example.com' });
  });
});
