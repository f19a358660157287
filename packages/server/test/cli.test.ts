import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { printedField } from './helpers/cli-cluster.js';
import { cleanEnv, type CliRun, killCliProcesses, runCli, startCli } from './helpers/cli-process.js';

const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-cli-'));
  dirs.push(dir);
  return dir;
}

/** This process's environment without anything that would point the CLI at shared services. */
function cliEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({ DATA_DIR: dataDir(), LOG_LEVEL: 'warn', ...vars });
}

let template: Promise<string> | undefined;

/**
 * As `cliEnv`, on a DATA_DIR whose embedded database is migrated already (a copy of one made once
 * with `confab-server migrate`, without its JWT secret): for tests of what comes after, each
 * starting in a fraction of the time that creating the database and running every migration takes.
 * Starting on an empty DATA_DIR keeps its own tests (`migrate`, the first `start`).
 */
async function migratedEnv(vars: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  template ??= (async () => {
    const env = cliEnv();
    const migrated = await runCli(['migrate'], env);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    rmSync(join(env.DATA_DIR!, 'jwt-secret'), { force: true });
    return env.DATA_DIR!;
  })();
  const source = await template;
  const env = cliEnv(vars);
  cpSync(source, env.DATA_DIR!, { recursive: true });
  return env;
}

afterEach(killCliProcesses);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const STACK_FRAME = /\n\s+at |node_modules|\.[jt]s:\d+/;

function expectOneLineError(result: CliRun, variable: string): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
  expect(result.stderr).toContain(variable);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).not.toMatch(/listening/i);
}

describe('confab-server configuration errors', () => {
  it('refuses MESSAGE_RATE=lots with one line naming MESSAGE_RATE and the accepted form', async () => {
    const result = await runCli(['start'], cliEnv({ MESSAGE_RATE: 'lots' }));
    expectOneLineError(result, 'MESSAGE_RATE');
    expect(result.stderr).toContain('unlimited');
    expect(result.stderr).toContain('second');
  });

  it('refuses PORT=-1 with one line naming PORT', async () => {
    expectOneLineError(await runCli(['start'], cliEnv({ PORT: '-1' })), 'PORT');
  });

  it('refuses NODE_ENV=production without JWT_SECRET with one line naming JWT_SECRET', async () => {
    expectOneLineError(await runCli(['start'], cliEnv({ NODE_ENV: 'production' })), 'JWT_SECRET');
  });

  it('validates the configuration before any command, not only start', async () => {
    expectOneLineError(await runCli(['apps:create', '--name', 'Shop'], cliEnv({ MESSAGE_RATE: '10/fortnight' })), 'MESSAGE_RATE');
  });
});

describe('confab-server migrate', () => {
  it('says which migrations it applied to a new database, and that an up-to-date one needs none', async () => {
    const env = cliEnv();
    const first = await runCli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied: 001-initial, .*017-uploads-at-scale\n$/);
    const again = await runCli(['migrate'], env);
    expect(again).toMatchObject({ code: 0, stdout: 'Database is up to date\n' });
  });
});

describe('confab-server apps:create', () => {
  it('creates an app in the embedded database and prints its id and secret', async () => {
    const env = await migratedEnv();
    const created = await runCli(['apps:create', '--name', 'Shop', '--origin', 'https://shop.example'], env);
    expect(created.code, created.stderr).toBe(0);
    const id = /\bid:\s+(\S+)/.exec(created.stdout)?.[1];
    const secret = /\bsecret:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(id, created.stdout).toBeTruthy();
    expect(secret, created.stdout).toBeTruthy();
    expect(secret!.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(env.DATA_DIR!, 'pg'))).toBe(true);

    const listed = await runCli(['apps:list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id!));
    expect(row, listed.stdout).toBeDefined();
    expect(row).toContain('Shop');
    expect(row).toContain('https://shop.example');
    expect(listed.stdout).not.toContain(secret!);
  });

  it('refuses apps:create without --name or with an invalid origin, in one readable message', async () => {
    const env = await migratedEnv();
    const nameless = await runCli(['apps:create', '--origin', 'https://shop.example'], env);
    expect(nameless.code).not.toBe(0);
    expect(nameless.stderr).toContain('--name');
    const badOrigin = await runCli(['apps:create', '--name', 'Shop', '--origin', '*'], env);
    expect(badOrigin.code).not.toBe(0);
    expect(badOrigin.stderr).toMatch(/origin/i);
    expect(badOrigin.stderr).not.toMatch(STACK_FRAME);
  });
});

/** Signs in to app `demo` over REST. */
function demoLogin(base: string, username: string, password: string): Promise<Response> {
  return fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-confab-app': 'demo' },
    body: JSON.stringify({ username, password }),
  });
}

/** The demo agent's password as the first start printed it. */
function printedDemoPassword(output: string): string | undefined {
  return /password "([^"]+)"/.exec(output)?.[1];
}

describe('confab-server start', () => {
  it('starts on embedded PGlite with the demo, answers health and demo login, and stops on SIGTERM', async () => {
    const env = cliEnv({ PORT: '0' });
    const server = await startCli(env);
    let session: { accessToken: string } | undefined;
    try {
      expect(server.url).toMatch(/^http:\/\/[^:]+:\d+$/);
      expect(Number(new URL(server.url).port)).toBeGreaterThan(0);

      const health = await fetch(`${server.base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const password = printedDemoPassword(server.output());
      expect(password, server.output()).toBeTruthy();
      const login = await demoLogin(server.base, 'agent', password!);
      const body = (await login.json()) as { user?: { username?: string }; accessToken?: string };
      expect(login.status, JSON.stringify(body)).toBe(200);
      expect(body.user).toMatchObject({ username: 'agent' });
      expect(typeof body.accessToken).toBe('string');
      session = { accessToken: body.accessToken! };

      const demoPage = await fetch(`${server.base}/`);
      expect(demoPage.status).toBe(200);
      expect(demoPage.headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      const exit = await server.stop();
      expect(exit, server.output()).toEqual({ code: 0, signal: null });
    }

    // A second start on the same DATA_DIR keeps the database and the generated JWT secret.
    const again = await startCli(env);
    try {
      const me = await fetch(`${again.base}/v1/me`, { headers: { authorization: `Bearer ${session!.accessToken}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: 'agent' });
    } finally {
      const exit = await again.stop();
      expect(exit, again.output()).toEqual({ code: 0, signal: null });
    }
  }, 120_000);
});

describe('confab-server demo mode', () => {
  it('keeps the demo off when NODE_ENV=production, even without DATABASE_URL: no app demo, agent/agent refused', async () => {
    const env = await migratedEnv({ PORT: '0', NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    const server = await startCli(env);
    try {
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
      const login = await demoLogin(server.base, 'agent', 'agent');
      expect(login.status).toBe(404);
      expect(((await login.json()) as { error: { code: string } }).error.code).toBe('not_found');
      const guest = await fetch(`${server.base}/v1/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-confab-app': 'demo' },
        body: JSON.stringify({ name: 'Ana' }),
      });
      expect(guest.status).toBe(404);
      expect((await fetch(`${server.base}/inbox`)).status).toBe(404);
      expect(server.output()).not.toMatch(/demo|password/i);
      expect(existsSync(join(env.DATA_DIR!, 'demo-agent-password'))).toBe(false);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('gives the demo agent a random password, printed at the first start and kept in DATA_DIR (0600); agent/agent is refused', async () => {
    const env = await migratedEnv({ PORT: '0' });
    const server = await startCli(env);
    const file = join(env.DATA_DIR!, 'demo-agent-password');
    let password: string | undefined;
    try {
      password = printedDemoPassword(server.output());
      expect(password, server.output()).toBeTruthy();
      expect(password!.length).toBeGreaterThanOrEqual(16);
      expect(server.output()).toContain(`${server.url}/inbox`);
      expect(server.output()).toContain(file);
      expect(readFileSync(file, 'utf8').trim()).toBe(password);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      expect((await demoLogin(server.base, 'agent', 'agent')).status).toBe(401);
      expect((await demoLogin(server.base, 'agent', password!)).status).toBe(200);
      // The demo page explains where the password is, but never shows it.
      const page = await (await fetch(`${server.base}/`)).text();
      expect(page).toContain('demo-agent-password');
      expect(page).not.toContain(password!);
      expect(page).not.toContain('password <code>agent</code>');
    } finally {
      expect(await server.stop(), server.output()).toEqual({ code: 0, signal: null });
    }

    // A second start keeps the password and prints only where it is.
    const again = await startCli(env);
    try {
      expect(again.output()).not.toContain(password!);
      expect(again.output()).toContain(file);
      expect(readFileSync(file, 'utf8').trim()).toBe(password);
      expect((await demoLogin(again.base, 'agent', password!)).status).toBe(200);
      expect((await demoLogin(again.base, 'agent', 'agent')).status).toBe(401);
    } finally {
      expect(await again.stop(), again.output()).toEqual({ code: 0, signal: null });
    }
  }, 120_000);

  it('gives an existing demo agent the password kept in DATA_DIR when they differ (an older install, a replaced file)', async () => {
    const env = await migratedEnv({ PORT: '0' });
    const first = await startCli(env);
    const old = printedDemoPassword(first.output());
    await first.stop();
    expect(old, first.output()).toBeTruthy();
    writeFileSync(join(env.DATA_DIR!, 'demo-agent-password'), 'the-operators-own-demo-password\n', { mode: 0o600 });

    const again = await startCli(env);
    try {
      expect((await demoLogin(again.base, 'agent', 'the-operators-own-demo-password')).status).toBe(200);
      expect((await demoLogin(again.base, 'agent', old!)).status).toBe(401);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it('lets the operator turn the demo on in production with CONFAB_DEMO=1, still without agent/agent', async () => {
    const env = await migratedEnv({ PORT: '0', NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(40), CONFAB_DEMO: '1' });
    const server = await startCli(env);
    try {
      const password = printedDemoPassword(server.output());
      expect(password, server.output()).toBeTruthy();
      expect((await demoLogin(server.base, 'agent', 'agent')).status).toBe(401);
      expect((await demoLogin(server.base, 'agent', password!)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

/** A pid that no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function guestStatus(base: string, app: string): Promise<number> {
  const response = await fetch(`${base}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-confab-app': app },
    body: JSON.stringify({ name: 'Ana' }),
  });
  return response.status;
}

describe('confab-server and one embedded data directory', () => {
  it('refuses apps:create, apps:list and migrate while a server holds DATA_DIR, naming its pid and what to do', async () => {
    const env = await migratedEnv({ PORT: '0', CONFAB_DEMO: '0' });
    const server = await startCli(env);
    const pid = server.child.pid!;
    try {
      const created = await runCli(['apps:create', '--name', 'Lost', '--origin', 'https://lost.example'], env);
      expect(created.code, created.stdout).not.toBe(0);
      expect(created.stdout).not.toContain('App created');
      expect(created.stderr).toContain(`pid ${pid}`);
      expect(created.stderr).toMatch(/stop/i);
      expect(created.stderr).toContain('ADMIN_TOKEN');
      expect(created.stderr).not.toMatch(STACK_FRAME);
      for (const command of [['apps:list'], ['migrate']]) {
        const refused = await runCli(command, env);
        expect(refused.code, `${command[0]}: ${refused.stdout}`).not.toBe(0);
        expect(refused.stderr).toContain(`pid ${pid}`);
      }
      expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    } finally {
      expect(await server.stop(), server.output()).toEqual({ code: 0, signal: null });
    }
    expect(existsSync(join(env.DATA_DIR!, 'server.lock'))).toBe(false);

    const created = await runCli(['apps:create', '--name', 'Kept', '--origin', 'https://kept.example'], env);
    expect(created.code, created.stderr).toBe(0);
    const id = printedField(created.stdout, 'id');
    const again = await startCli(env);
    try {
      expect(await guestStatus(again.base, id)).toBe(201);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it('refuses a second start on the same DATA_DIR while the first one runs, and the first keeps serving', async () => {
    const env = await migratedEnv({ PORT: '0' });
    const first = await startCli(env);
    try {
      const second = await runCli(['start'], env);
      expect(second.code, second.stdout).not.toBe(0);
      expect(second.stdout).not.toMatch(/listening/i);
      expect(second.stderr).toContain(`pid ${first.child.pid}`);
      expect(second.stderr).not.toMatch(STACK_FRAME);
      expect((await fetch(`${first.base}/readyz`)).status).toBe(200);
      expect(await guestStatus(first.base, 'demo')).toBe(201);
    } finally {
      expect(await first.stop(), first.output()).toEqual({ code: 0, signal: null });
    }
  }, 120_000);

  it('takes over a stale lock whose process is gone', async () => {
    const env = await migratedEnv({ PORT: '0', CONFAB_DEMO: '0' });
    const lock = join(env.DATA_DIR!, 'server.lock');
    writeFileSync(lock, JSON.stringify({ pid: await deadPid(), command: 'start' }));
    const created = await runCli(['apps:create', '--name', 'Shop'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('App created');

    writeFileSync(lock, JSON.stringify({ pid: await deadPid(), command: 'start' }));
    const server = await startCli(env);
    try {
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: server.child.pid });
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe.runIf(process.env.DATABASE_URL)('confab-server on PostgreSQL and a shared DATA_DIR', () => {
  it('takes no DATA_DIR lock: apps:create works while a server runs, and the app is served at once', async () => {
    const database = `confab_cli_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${database}`);
    try {
      const databaseUrl = Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${database}` }).href;
      const env = cliEnv({ PORT: '0', DATABASE_URL: databaseUrl });
      const server = await startCli(env);
      try {
        expect(existsSync(join(env.DATA_DIR!, 'server.lock'))).toBe(false);
        const created = await runCli(['apps:create', '--name', 'Shared'], env);
        expect(created.code, created.stderr).toBe(0);
        const id = printedField(created.stdout, 'id');
        expect(await guestStatus(server.base, id)).toBe(201);
      } finally {
        await server.stop();
      }
    } finally {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
