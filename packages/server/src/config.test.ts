import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig, parseRate } from './config.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-config-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A minimal environment: never process.env, so the machine's DATABASE_URL etc. do not leak in. */
const env = (vars: Record<string, string> = {}) => ({ DATA_DIR: dataDir(), ...vars });

function configError(vars: Record<string, string>): ConfigError {
  try {
    loadConfig(env(vars));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(vars)}`);
}

function expectOneLineNaming(err: ConfigError, variable: string): void {
  expect(err.message).not.toMatch(/[\r\n]/);
  expect(err.message.trim()).not.toBe('');
  expect(err.message).toContain(variable);
}

describe('loadConfig defaults', () => {
  it('listens on port 3000 of every interface with 10 messages per second when nothing is set', () => {
    const config = loadConfig(env());
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.messageRate).toEqual({ limit: 10, periodMs: 1000 });
    expect(config.logLevel).toBe('info');
    expect(config.maxUploadBytes).toBe(26_214_400);
    expect(config.publicUrl).toBeNull();
  });

  it('uses embedded PGlite and in-process parts with the demo on when DATABASE_URL and REDIS_URL are unset', () => {
    const config = loadConfig(env());
    expect(config.databaseUrl).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.demo).toBe(true);
  });

  it('turns the demo off by default when DATABASE_URL is set', () => {
    const config = loadConfig(env({ DATABASE_URL: 'postgres://user@db.example:5432/confab' }));
    expect(config.databaseUrl).toBe('postgres://user@db.example:5432/confab');
    expect(config.demo).toBe(false);
  });

  it('keeps the demo off by default when NODE_ENV=production, even without DATABASE_URL, unless CONFAB_DEMO=1', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32) };
    expect(loadConfig(env(production)).demo).toBe(false);
    expect(loadConfig(env({ ...production, CONFAB_DEMO: '1' })).demo).toBe(true);
  });

  it('lets CONFAB_DEMO override the default either way', () => {
    expect(loadConfig(env({ DATABASE_URL: 'postgres://db.example/confab', CONFAB_DEMO: '1' })).demo).toBe(true);
    expect(loadConfig(env({ CONFAB_DEMO: '0' })).demo).toBe(false);
  });

  it('reads only the environment it is given', () => {
    const config = loadConfig(env({ PORT: '4567' }));
    expect(config.port).toBe(4567);
    // Whatever this machine's DATABASE_URL / REDIS_URL are, the explicit env has none.
    expect(config.databaseUrl).toBeNull();
    expect(config.redisUrl).toBeNull();
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig(env({ PORT: '', MESSAGE_RATE: '', DATABASE_URL: '' }));
    expect(config.port).toBe(3000);
    expect(config.messageRate).toEqual({ limit: 10, periodMs: 1000 });
    expect(config.databaseUrl).toBeNull();
  });

  it('returns a frozen object', () => {
    const config = loadConfig(env());
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('parseRate', () => {
  it('reads "unlimited" as no limit', () => {
    expect(parseRate('unlimited')).toBeNull();
  });

  it('reads N/unit for every unit, singular or plural', () => {
    expect(parseRate('10/second')).toEqual({ limit: 10, periodMs: 1_000 });
    expect(parseRate('5/minute')).toEqual({ limit: 5, periodMs: 60_000 });
    expect(parseRate('3/hour')).toEqual({ limit: 3, periodMs: 3_600_000 });
    expect(parseRate('100/day')).toEqual({ limit: 100, periodMs: 86_400_000 });
    expect(parseRate('2/months')).toEqual({ limit: 2, periodMs: 30 * 86_400_000 });
    expect(parseRate('1/year')).toEqual({ limit: 1, periodMs: 365 * 86_400_000 });
  });

  it.each([
    'lots',
    '10/fortnight',
    '0/second',
    '-1/second',
    '10',
    '/second',
    '1.5/second',
    'ten/second',
    '',
    '10/constructor',
    '1/tostring',
    '5/__proto__',
  ])('rejects %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe('loadConfig MESSAGE_RATE', () => {
  it('accepts unlimited, 5/minute, 100/day and 2/months', () => {
    expect(loadConfig(env({ MESSAGE_RATE: 'unlimited' })).messageRate).toBeNull();
    expect(loadConfig(env({ MESSAGE_RATE: '5/minute' })).messageRate).toEqual({ limit: 5, periodMs: 60_000 });
    expect(loadConfig(env({ MESSAGE_RATE: '100/day' })).messageRate).toEqual({ limit: 100, periodMs: 86_400_000 });
    expect(loadConfig(env({ MESSAGE_RATE: '2/months' })).messageRate).toEqual({ limit: 2, periodMs: 30 * 86_400_000 });
  });

  it.each(['lots', '10/fortnight', '0/second', '-1/second'])(
    'rejects MESSAGE_RATE=%s with a one-line message naming the variable and the accepted form',
    (value) => {
      const err = configError({ MESSAGE_RATE: value });
      expectOneLineNaming(err, 'MESSAGE_RATE');
      expect(err.message).toContain('unlimited');
      expect(err.message).toContain('second');
    },
  );
});

describe('loadConfig PORT, URLs and levels', () => {
  it.each(['-1', 'abc', '70000', '3000.5'])('rejects PORT=%s with a one-line message naming PORT', (value) => {
    expectOneLineNaming(configError({ PORT: value }), 'PORT');
  });

  it('accepts PORT=0 (an ephemeral port) and PORT=65535', () => {
    expect(loadConfig(env({ PORT: '0' })).port).toBe(0);
    expect(loadConfig(env({ PORT: '65535' })).port).toBe(65535);
  });

  it('rejects a DATABASE_URL that is not PostgreSQL', () => {
    expectOneLineNaming(configError({ DATABASE_URL: 'mysql://x' }), 'DATABASE_URL');
    expectOneLineNaming(configError({ DATABASE_URL: 'not a url' }), 'DATABASE_URL');
  });

  it('accepts postgres:// and postgresql:// DATABASE_URLs and redis:// REDIS_URLs', () => {
    expect(loadConfig(env({ DATABASE_URL: 'postgresql://db.example/confab' })).databaseUrl).toBe('postgresql://db.example/confab');
    expect(loadConfig(env({ REDIS_URL: 'redis://cache.example:6379' })).redisUrl).toBe('redis://cache.example:6379');
  });

  it('rejects a REDIS_URL that is not Redis', () => {
    expectOneLineNaming(configError({ REDIS_URL: 'http://cache.example' }), 'REDIS_URL');
  });

  it('prefixes Redis keys with confab: unless REDIS_PREFIX names another cluster, and refuses a prefix with spaces', () => {
    expect(loadConfig(env()).redisPrefix).toBe('confab:');
    expect(loadConfig(env({ REDIS_PREFIX: 'shop-eu:' })).redisPrefix).toBe('shop-eu:');
    expect(() => loadConfig(env({ REDIS_PREFIX: 'two words' }))).toThrow(/REDIS_PREFIX must be 1 to 64 letters/);
  });

  it('migrates at start unless MIGRATE_ON_START=0', () => {
    expect(loadConfig(env()).migrateOnStart).toBe(true);
    expect(loadConfig(env({ MIGRATE_ON_START: '0' })).migrateOnStart).toBe(false);
    expect(() => loadConfig(env({ MIGRATE_ON_START: 'later' }))).toThrow(/MIGRATE_ON_START must be 1\/0/);
  });

  it('rejects an unknown LOG_LEVEL and a malformed MAX_UPLOAD_BYTES', () => {
    expectOneLineNaming(configError({ LOG_LEVEL: 'loud' }), 'LOG_LEVEL');
    expectOneLineNaming(configError({ MAX_UPLOAD_BYTES: 'big' }), 'MAX_UPLOAD_BYTES');
  });
});

describe('loadConfig JWT_SECRET', () => {
  it('generates a secret once, keeps it in DATA_DIR and returns the same one on the next load', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8'));
    expect(files.some((content) => content.includes(first))).toBe(true);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
  });

  it('generates a different secret for a different DATA_DIR', () => {
    expect(loadConfig(env()).jwtSecret).not.toBe(loadConfig(env()).jwtSecret);
  });

  it('uses JWT_SECRET when given', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig(env({ JWT_SECRET: secret })).jwtSecret).toBe(secret);
  });

  it('requires JWT_SECRET when NODE_ENV=production', () => {
    expectOneLineNaming(configError({ NODE_ENV: 'production' }), 'JWT_SECRET');
    const config = loadConfig(env({ NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(48) }));
    expect(config.nodeEnv).toBe('production');
    expect(config.jwtSecret).toBe('y'.repeat(48));
  });

  it('rejects a JWT_SECRET shorter than 32 characters', () => {
    expectOneLineNaming(configError({ JWT_SECRET: 'short' }), 'JWT_SECRET');
  });
});
