import { describe, expect, it } from 'vitest';

import { ConfigError, readConfig } from './config.js';

describe('readConfig', () => {
  it('signs its own agent token when given the app secret', () => {
    expect(readConfig({ CONFAB_APP: 'shop', CONFAB_APP_SECRET: 's3cret', BOT_NAME: 'Shop bot' })).toEqual({
      url: 'http://localhost:3000',
      app: 'shop',
      auth: { secret: 's3cret', id: 'faq-bot', name: 'Shop bot' },
      authMode: 'app secret, as agent "faq-bot"',
    });
  });

  it('signs in with a username and password otherwise, and never shows secrets in authMode', () => {
    const config = readConfig({
      CONFAB_URL: 'https://chat.example.com/',
      CONFAB_APP: 'demo',
      BOT_USERNAME: 'agent',
      BOT_PASSWORD: 'a long agent password',
    });
    expect(config).toMatchObject({ url: 'https://chat.example.com', auth: { username: 'agent', password: 'a long agent password' } });
    expect(config.authMode).toBe('password, as "agent"');
  });

  it('fails fast with every problem named', () => {
    expect(() => readConfig({})).toThrow(ConfigError);
    expect(() => readConfig({})).toThrow(/CONFAB_APP is required[\s\S]*CONFAB_APP_SECRET/);
    expect(() => readConfig({ CONFAB_APP: 'a', BOT_USERNAME: 'agent' })).toThrow(/go together/);
    expect(() => readConfig({ CONFAB_APP: 'a', CONFAB_APP_SECRET: 's', BOT_USERNAME: 'agent', BOT_PASSWORD: 'x' })).toThrow(/not both/);
    expect(() => readConfig({ CONFAB_APP: 'a', CONFAB_APP_SECRET: 's', CONFAB_URL: 'ftp://x' })).toThrow(/CONFAB_URL/);
  });
});
