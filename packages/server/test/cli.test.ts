import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CliRun, cleanEnv, killCliProcesses, runCli, startCli } from './helpers/cli-process.js';


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

describe('confab-server apps:create', () => {
  it('creates an app in the embedded database and prints its id and secret', async () => {
    const env = cliEnv();
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
    const env = cliEnv();
    const nameless = await runCli(['apps:create', '--origin', 'https://shop.example'], env);
    expect(nameless.code).not.toBe(0);
    expect(nameless.stderr).toContain('--name');
    const badOrigin = await runCli(['apps:create', '--name', 'Shop', '--origin', '*'], env);
    expect(badOrigin.code).not.toBe(0);
    expect(badOrigin.stderr).toMatch(/origin/i);
    expect(badOrigin.stderr).not.toMatch(STACK_FRAME);
  });
});

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
