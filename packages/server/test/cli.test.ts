import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// The built CLI, as an operator runs it (`npm run build` comes before the tests).
const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, '../dist/cli.js');
const REPO_ROOT = resolve(here, '../../..');
const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

const dirs: string[] = [];
const children = new Set<ChildProcess>();

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-cli-'));
  dirs.push(dir);
  return dir;
}

/** This process's environment without anything that would point the CLI at shared services. */
function cliEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV', 'PORT', 'HOST', 'MESSAGE_RATE', 'AUTH_RATE',
    'CONFAB_DEMO', 'PUBLIC_URL', 'ADMIN_TOKEN', 'DATA_DIR', 'LOG_LEVEL', 'VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) {
    delete env[name];
  }
  return { ...env, DATA_DIR: dataDir(), LOG_LEVEL: 'warn', ...vars };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`confab-server ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

interface Started {
  child: ChildProcess;
  url: string;
  /** The same port on 127.0.0.1 (the printed host may resolve to ::1 first). */
  base: string;
  output(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Started> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('close', (code, signal) => {
        children.delete(child);
        done({ code, signal });
      }),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`confab-server start printed no address within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    const output = () => `stdout: ${stdout}\nstderr: ${stderr}`;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^\s:/]+:(\d+))/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({
        child,
        url: match[1],
        base: `http://127.0.0.1:${match[2]}`,
        output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`confab-server start exited (${code ?? signal}) before listening\n${output()}`));
    });
  });
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const STACK_FRAME = /\n\s+at |node_modules|\.[jt]s:\d+/;

function expectOneLineError(result: Run, variable: string): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
  expect(result.stderr).toContain(variable);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).not.toMatch(/listening/i);
}

describe('confab-server configuration errors', () => {
  it('refuses MESSAGE_RATE=lots with one line naming MESSAGE_RATE and the accepted form', async () => {
    const result = await run(['start'], cliEnv({ MESSAGE_RATE: 'lots' }));
    expectOneLineError(result, 'MESSAGE_RATE');
    expect(result.stderr).toContain('unlimited');
    expect(result.stderr).toContain('second');
  });

  it('refuses PORT=-1 with one line naming PORT', async () => {
    expectOneLineError(await run(['start'], cliEnv({ PORT: '-1' })), 'PORT');
  });

  it('refuses NODE_ENV=production without JWT_SECRET with one line naming JWT_SECRET', async () => {
    expectOneLineError(await run(['start'], cliEnv({ NODE_ENV: 'production' })), 'JWT_SECRET');
  });

  it('validates the configuration before any command, not only start', async () => {
    expectOneLineError(await run(['apps:create', '--name', 'Shop'], cliEnv({ MESSAGE_RATE: '10/fortnight' })), 'MESSAGE_RATE');
  });
});

describe('confab-server apps:create', () => {
  it('creates an app in the embedded database and prints its id and secret', async () => {
    const env = cliEnv();
    const created = await run(['apps:create', '--name', 'Shop', '--origin', 'https://shop.example'], env);
    expect(created.code, created.stderr).toBe(0);
    const id = /\bid:\s+(\S+)/.exec(created.stdout)?.[1];
    const secret = /\bsecret:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(id, created.stdout).toBeTruthy();
    expect(secret, created.stdout).toBeTruthy();
    expect(secret!.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(join(env.DATA_DIR!, 'pg'))).toBe(true);

    const listed = await run(['apps:list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id!));
    expect(row, listed.stdout).toBeDefined();
    expect(row).toContain('Shop');
    expect(row).toContain('https://shop.example');
    expect(listed.stdout).not.toContain(secret!);
  });

  it('refuses apps:create without --name or with an invalid origin, in one readable message', async () => {
    const env = cliEnv();
    const nameless = await run(['apps:create', '--origin', 'https://shop.example'], env);
    expect(nameless.code).not.toBe(0);
    expect(nameless.stderr).toContain('--name');
    const badOrigin = await run(['apps:create', '--name', 'Shop', '--origin', '*'], env);
    expect(badOrigin.code).not.toBe(0);
    expect(badOrigin.stderr).toMatch(/origin/i);
    expect(badOrigin.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('confab-server start', () => {
  it('starts on embedded PGlite with the demo, answers health and demo login, and stops on SIGTERM', async () => {
    const env = cliEnv({ PORT: '0' });
    const server = await startServer(env);
    let session: { accessToken: string } | undefined;
    try {
      expect(server.url).toMatch(/^http:\/\/[^:]+:\d+$/);
      expect(Number(new URL(server.url).port)).toBeGreaterThan(0);

      const health = await fetch(`${server.base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const login = await fetch(`${server.base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-confab-app': 'demo' },
        body: JSON.stringify({ username: 'agent', password: 'agent' }),
      });
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
    const again = await startServer(env);
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

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe('docker-compose.yml', () => {
  it.runIf(hasCompose)('is a valid compose file (docker-compose config -q)', () => {
    expect(existsSync(COMPOSE_FILE), COMPOSE_FILE).toBe(true);
    const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config', '-q'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
