import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../config.js';

const dirs: string[] = [];
const env = (vars: Record<string, string> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'confab-mail-config-'));
  dirs.push(dir);
  return { DATA_DIR: dir, ...vars };
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('mail settings', () => {
  it('defaults to files under DATA_DIR and a local From', () => {
    const config = loadConfig(env());
    expect(config.smtpUrl).toBeNull();
    expect(config.mailFrom).toBe('Confab <no-reply@localhost>');
  });

  it('accepts smtp:// and smtps:// URLs with credentials', () => {
    expect(loadConfig(env({ SMTP_URL: 'smtp://user:p%40ss@mail.example.com:587' })).smtpUrl).toBe(
      'smtp://user:p%40ss@mail.example.com:587',
    );
    expect(loadConfig(env({ SMTP_URL: 'smtps://mail.example.com' })).smtpUrl).toBe('smtps://mail.example.com');
    expect(loadConfig(env({ MAIL_FROM: 'help@example.com' })).mailFrom).toBe('help@example.com');
  });

  it.each(['http://mail.example.com', 'smtp://', 'mail.example.com:25', 'smtp://mail.example.com/path'])(
    'refuses SMTP_URL=%s with one line naming it',
    (value) => {
      let error: unknown;
      try {
        loadConfig(env({ SMTP_URL: value }));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^Invalid configuration: SMTP_URL must be smtp:\/\/\[user:pass@\]host/);
      expect((error as Error).message).not.toContain('\n');
    },
  );

  it('refuses a MAIL_FROM that is not an address', () => {
    expect(() => loadConfig(env({ MAIL_FROM: 'Confab' }))).toThrow(/^Invalid configuration: MAIL_FROM must be an address/);
  });
});
