import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  });

  it('sets the forwarded client address itself, so a client cannot choose the address it is throttled by', () => {
    expect(conf).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
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

/** The `${NAME:?message}` variables of a compose file: what `docker-compose config` refuses to go without. */
const requiredVariables = (text: string) => [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1] ?? ''))].sort();
/** One service's block of rendered `docker-compose config` output. */
const serviceBlock = (config: string, name: string) =>
  new RegExp(`\\n {2}${name}:\\n([\\s\\S]*?)(?=\\n {2}\\S|\\n\\S|$)`).exec(config)?.[1] ?? '';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** The replicas docker-compose.yml defines (server-1, server-2, ...). */
const replicas = () => [...read('docker-compose.yml').matchAll(/^ {2}(server-\d+):/gm)].map((m) => m[1] ?? '');

const PRODUCTION_ENV: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(32).toString('hex'),
  JWT_SECRET: randomBytes(48).toString('base64'),
  CONFAB_DOMAIN: 'chat.example.com',
  ACME_EMAIL: 'ops@example.com',
};

describe('docker-compose.production.yml', () => {
  it('requires the database password, the JWT secret, the domain and the ACME e-mail', () => {
    expect(requiredVariables(read('docker-compose.production.yml'))).toEqual(Object.keys(PRODUCTION_ENV).sort());
    // The default file stays usable with no .env at all.
    expect(requiredVariables(read('docker-compose.yml'))).toEqual([]);
  });
});

describe('the replicas of docker-compose.yml', () => {
  it('receive every variable the server reads (compose passes only those it lists)', () => {
    const env = /^x-confab-env: &confab-env\n((?: {2}.*\n)+)/m.exec(read('docker-compose.yml'))?.[1] ?? '';
    const passed = [...env.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
    expect(CONFIG_VARIABLES.filter((name) => !passed.includes(name))).toEqual([]);
  });
});

describe.runIf(hasCompose)('docker-compose.yml with docker-compose.production.yml', () => {
  // An empty env file and a bare environment: a developer's .env or shell cannot fill a gap.
  const envDir = mkdtempSync(join(tmpdir(), 'confab-compose-'));
  dirs.push(envDir);
  const envFile = join(envDir, 'empty.env');
  writeFileSync(envFile, '');
  const production = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(
      'docker-compose',
      ['--env-file', envFile, '-f', join(REPO_ROOT, 'docker-compose.yml'), '-f', join(REPO_ROOT, 'docker-compose.production.yml'), ...args],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: envDir, ...env } },
    );

  it('is valid with every required secret set (docker-compose config -q)', () => {
    const result = production(PRODUCTION_ENV, 'config', '-q');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('refuses to render when any required secret is missing, naming it', () => {
    for (const name of Object.keys(PRODUCTION_ENV)) {
      const result = production({ ...PRODUCTION_ENV, [name]: '' }, 'config', '-q');
      expect(result.status, name).not.toBe(0);
      expect(result.stderr, name).toContain(`set ${name} in .env`);
    }
  });

  it('puts Caddy on ports 80 and 443 with persistent certificates, and leaves nginx out unless asked', () => {
    const config = production(PRODUCTION_ENV, 'config').stdout;
    const caddy = serviceBlock(config, 'caddy');
    expect(caddy).toMatch(/image: ['"]?caddy:2['"]?\n/);
    // One entry per published port, whatever order and quoting this compose version prints it in.
    const ports = /\n {4}ports:\n([\s\S]*?)(?=\n {4}[a-z_]+:|$)/.exec(`\n${caddy}`)?.[1] ?? '';
    const published = [...ports.matchAll(/published: ['"]?(\d+)['"]?/g)].map((m) => m[1]).sort();
    expect(published).toEqual(['443', '443', '80']);
    expect(ports).toMatch(/protocol: ['"]?udp/);
    expect(caddy).toMatch(/- caddy-data:\/data/);
    expect(caddy).toMatch(/- caddy-config:\/config/);
    expect(caddy).toMatch(/deploy\/Caddyfile:\/etc\/caddy\/Caddyfile:ro/);
    expect(caddy).toMatch(/CONFAB_DOMAIN: chat\.example\.com/);
    for (const name of replicas()) expect(caddy).toMatch(new RegExp(`${name}:\\n\\s*condition: service_healthy`));
    expect(serviceBlock(config, 'nginx')).toMatch(/profiles:\n\s*- nginx/);
  });

  it('runs the migration job and every replica in production mode with the HTTPS public URL and the secrets', () => {
    const config = production(PRODUCTION_ENV, 'config').stdout;
    for (const name of ['migrate', ...replicas()]) {
      const service = serviceBlock(config, name);
      expect(service, name).toMatch(/NODE_ENV: production\n/);
      expect(service, name).toMatch(/PUBLIC_URL: https:\/\/chat\.example\.com\n/);
      expect(service, name).toMatch(new RegExp(`JWT_SECRET: ['"]?${escape(PRODUCTION_ENV.JWT_SECRET ?? '')}['"]?\n`));
      expect(service, name).toContain(`DATABASE_URL: postgres://confab:${PRODUCTION_ENV.POSTGRES_PASSWORD}@postgres:5432/confab`);
      expect(service, name).toMatch(/CONFAB_DEMO: ['"]0['"]/);
    }
    expect(serviceBlock(config, 'postgres')).toContain(`POSTGRES_PASSWORD: ${PRODUCTION_ENV.POSTGRES_PASSWORD}`);
  });
});

describe('deploy/Caddyfile', () => {
  const caddyfile = read('deploy/Caddyfile');
  const site = /^\{\$CONFAB_DOMAIN\} \{\n([\s\S]*?)\n\}/m.exec(caddyfile)?.[1] ?? '';
  const proxy = /^\treverse_proxy ([^{\n]*)\{([\s\S]*?)\n\t\}/m.exec(site);

  it('serves the domain from .env over HTTPS with automatic certificates and HTTP redirects left on', () => {
    expect(site).not.toBe('');
    expect(caddyfile).toMatch(/^\temail \{\$ACME_EMAIL\}$/m);
    expect(caddyfile).not.toMatch(/^\s*auto_https\b/m);
    expect(caddyfile).not.toMatch(/^http:\/\//m);
  });

  it('proxies to every compose replica with client-address stickiness', () => {
    expect(proxy).not.toBeNull();
    const upstreams = (proxy?.[1] ?? '').trim().split(/\s+/).sort();
    expect(upstreams).toEqual(
      replicas()
        .map((name) => `${name}:3000`)
        .sort(),
    );
    expect(replicas().length).toBeGreaterThanOrEqual(3);
    expect(proxy?.[2]).toMatch(/^\t\tlb_policy ip_hash$/m);
    expect(proxy?.[2]).toMatch(/^\t\thealth_uri \/readyz$/m);
    expect(read('packages/server/src/http/routes/ops.ts')).toMatch(/['\s]\/readyz'/);
  });

  it('leaves WebSocket upgrades to reverse_proxy, which passes them by default', () => {
    expect(caddyfile).not.toMatch(/header_up\s+-?(Upgrade|Connection)\b/i);
    expect(caddyfile).not.toMatch(/^\s*versions\b/m); // forcing HTTP/2 to the replicas would break upgrades
  });

  it('sets HSTS for a year, keeps /metrics private and admits uploads of the default limit', () => {
    const hsts = /^\theader Strict-Transport-Security "max-age=(\d+)[^"]*"$/m.exec(site);
    expect(Number(hsts?.[1])).toBeGreaterThanOrEqual(31_536_000);
    expect(site).toMatch(/^\t@metrics path \/metrics \/metrics\/\*\n\trespond @metrics 404$/m);
    const maxSize = /^\t\tmax_size (\d+)MiB$/m.exec(site);
    expect(Number(maxSize?.[1]) * 1024 * 1024).toBeGreaterThan(loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) }).maxUploadBytes);
  });
});

const hasCaddy = spawnSync('caddy', ['version'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasCaddy)('deploy/Caddyfile read by Caddy itself', () => {
  const home = mkdtempSync(join(tmpdir(), 'confab-caddy-'));
  dirs.push(home);
  const caddy = (...args: string[]) =>
    spawnSync('caddy', [...args, '--config', join(REPO_ROOT, 'deploy/Caddyfile'), '--adapter', 'caddyfile'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, ...PRODUCTION_ENV },
    });

  interface Handler {
    handler: string;
    upstreams?: { dial: string }[];
    load_balancing?: { selection_policy?: { policy?: string } };
    response?: { set?: Record<string, string[]> };
    routes?: { handle: Handler[] }[];
  }

  it('adapts to a TLS policy for the domain and a sticky proxy over every replica, with HSTS', () => {
    const result = caddy('adapt');
    expect(result.status, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      apps: {
        http: { servers: Record<string, { listen: string[]; routes: { match?: { host?: string[] }[]; handle: Handler[] }[] }> };
        tls: { automation: { policies: { subjects: string[]; issuers: { email?: string }[] }[] } };
      };
    };
    const servers = Object.values(json.apps.http.servers);
    expect(servers.map((s) => s.listen)).toEqual([[':443']]);
    const handlers: Handler[] = [];
    const walk = (list: Handler[]) => {
      for (const h of list) {
        handlers.push(h);
        for (const route of h.routes ?? []) walk(route.handle);
      }
    };
    for (const route of servers[0]?.routes ?? []) {
      expect(route.match?.[0]?.host).toEqual(['chat.example.com']);
      walk(route.handle);
    }
    const proxy = handlers.find((h) => h.handler === 'reverse_proxy');
    expect(proxy?.upstreams?.map((u) => u.dial).sort()).toEqual(
      replicas()
        .map((name) => `${name}:3000`)
        .sort(),
    );
    expect(proxy?.load_balancing?.selection_policy?.policy).toBe('ip_hash');
    const headers = handlers.find((h) => h.handler === 'headers');
    expect(headers?.response?.set?.['Strict-Transport-Security']?.[0]).toMatch(/^max-age=31536000/);
    const [policy] = json.apps.tls.automation.policies;
    expect(policy?.subjects).toEqual(['chat.example.com']);
    expect(policy?.issuers.every((issuer) => issuer.email === 'ops@example.com')).toBe(true);
  });

  it('validates, with automatic HTTP to HTTPS redirects', () => {
    const result = caddy('validate');
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toContain('enabling automatic HTTP->HTTPS redirects');
  });
});

describe('docs/deploy.md', () => {
  const guide = read('docs/deploy.md');
  const composeText = `${read('docker-compose.yml')}\n${read('docker-compose.production.yml')}`;
  // The .env the guide has the operator write: `NAME=...` lines of its `cat >> .env` block.
  const envBlock = /cat >> \.env <<'?EOF'?\n([\s\S]*?)\nEOF/.exec(guide)?.[1] ?? '';
  const written = [...envBlock.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '');

  it('has the operator set every variable the production compose file requires', () => {
    expect(written.length).toBeGreaterThan(0);
    expect(requiredVariables(read('docker-compose.production.yml')).filter((name) => !written.includes(name))).toEqual([]);
  });

  it('sets only variables that compose reads (or COMPOSE_FILE, for compose itself)', () => {
    const stale = written.filter((name) => name !== 'COMPOSE_FILE' && !composeText.includes(`\${${name}`));
    expect(stale).toEqual([]);
    const composeFile = /^COMPOSE_FILE=(.*)$/m.exec(envBlock)?.[1] ?? '';
    for (const file of composeFile.split(':')) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
  });

  it('checks health endpoints the server has', () => {
    const ops = read('packages/server/src/http/routes/ops.ts');
    const paths = [...new Set([...guide.matchAll(/https:\/\/chat\.example\.com(\/[a-z]+z)\b/g)].map((m) => m[1] ?? ''))];
    expect(paths.sort()).toEqual(['/healthz', '/readyz']);
    // The route is declared as 'GET /readyz' (or path: '/readyz'): either way the path ends a quoted string.
    for (const path of paths) expect(ops).toMatch(new RegExp(`['\\s]${path}'`));
  });
});

describe('docs/', () => {
  const docs = readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md'));

  it('has an index linking every document', () => {
    const index = read('docs/README.md');
    const missing = docs.filter((name) => name !== 'README.md' && !index.includes(`](${name})`));
    expect(missing).toEqual([]);
  });

  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const name of docs) {
      for (const [, target = ''] of read(`docs/${name}`).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(REPO_ROOT, 'docs', target))) broken.push(`${name} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

const tracked = spawnSync('git', ['ls-files', '*.ts', '*.md'], { cwd: REPO_ROOT, encoding: 'utf8' });

describe.runIf(tracked.status === 0)('the repository', () => {
  it('points to its own docs, not to section numbers of a specification it does not contain', () => {
    const pattern = /SPEC\s§|shared\/SPEC\.md/;
    const offenders = tracked.stdout.split('\n').filter((file) => file && existsSync(join(REPO_ROOT, file)) && pattern.test(read(file)));
    expect(offenders).toEqual([]);
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
    const open = () => createDb({ databaseUrl: process.env.DATABASE_URL!, dataDir: null, schema });
    const first = open();
    const dbs = [first, open(), open(), open()];
    try {
      await first.raw('select 1'); // creates the test's schema (production has no such step to race on)
      const applied = await Promise.all(dbs.map((db) => migrate(db)));
      expect(applied.flat().sort()).toEqual([
        '001-initial',
        '002-room-versions',
        '003-support',
        '004-refresh-grace',
        '005-revoked-sessions',
        '006-activity-index',
        '007-labels',
        '008-search',
        '009-ratings',
        '010-notes',
        '011-auto-assign',
        '012-reports',
        '013-mail',
        '014-mail-continuity',
        '015-my-messages',
        '016-moderation',
        '017-uploads-at-scale',
      ]);
    } finally {
      await first.raw(`drop schema if exists "${schema}" cascade`);
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });
});
