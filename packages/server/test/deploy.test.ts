import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';
import { createDb } from '../src/db/knex.js';
import { migrate } from '../src/db/migrate.js';
import { start } from '../src/index.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('.env.example', () => {
  it('documents every variable the server reads', () => {
    const documented = read('.env.example');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(10);
    const missing = CONFIG_VARIABLES.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(documented));
    expect(missing).toEqual([]);
  });
});

describe('nginx in front of the replicas', () => {
  const conf = read('deploy/nginx.conf');

  it('balances over the three compose replicas with client-address stickiness', () => {
    const upstream = /upstream confab \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(upstream).toMatch(/^\s*hash \$binary_remote_addr consistent;/m);
    for (const name of ['server-1', 'server-2', 'server-3']) expect(upstream).toContain(`server ${name}:3000`);
  });

  it('passes WebSocket upgrades and the forwarded client address', () => {
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(conf).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(conf).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
  });
});

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasCompose)('docker-compose.yml', () => {
  const compose = (...args: string[]) =>
    spawnSync('docker-compose', ['-f', join(REPO_ROOT, 'docker-compose.yml'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  it('is a valid compose file (docker-compose config -q)', () => {
    const result = compose('config', '-q');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('runs PostgreSQL, Redis, a migration job, three replicas and nginx', () => {
    const result = compose('config', '--services');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(['migrate', 'nginx', 'postgres', 'redis', 'server-1', 'server-2', 'server-3']);
  });

  it('starts the replicas only after the migration job succeeded, without migrating again', () => {
    const config = compose('config').stdout;
    const replica = /\n {2}server-2:\n([\s\S]*?)(?=\n {2}\S)/.exec(config)?.[1] ?? '';
    expect(replica).toMatch(/migrate:\s*\n\s*condition: service_completed_successfully/);
    expect(replica).toMatch(/MIGRATE_ON_START: '0'/);
    expect(replica).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
  });
});

describe('MIGRATE_ON_START=0', () => {
  it('refuses to start on a database with pending migrations, and starts once they are applied', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'confab-deploy-'));
    dirs.push(dataDir);
    // Embedded PGlite in a fresh directory: a database no migration has touched.
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MIGRATE_ON_START: '0',
    });
    await expect(start(config)).rejects.toThrow(/needs migrations \(001-initial.*confab-server migrate/);

    const db = createDb({ databaseUrl: null, dataDir });
    expect(await migrate(db)).toContain('001-initial');
    await db.destroy();

    const server = await start(config);
    try {
      const res = await fetch(`${server.url.replace('localhost', '127.0.0.1')}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe.runIf(process.env.DATABASE_URL)('nodes starting together on an empty database', () => {
  it('migrate it once between them, whoever creates the migration bookkeeping first', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dbs = Array.from({ length: 4 }, () => createDb({ databaseUrl: process.env.DATABASE_URL!, dataDir: null, schema }));
    try {
      await dbs[0].raw('select 1'); // creates the test's schema (production has no such step to race on)
      const applied = await Promise.all(dbs.map((db) => migrate(db)));
      expect(applied.flat().sort()).toEqual(['001-initial', '002-room-versions', '003-support', '004-refresh-grace']);
    } finally {
      await dbs[0].raw(`drop schema if exists "${schema}" cascade`);
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });
});
