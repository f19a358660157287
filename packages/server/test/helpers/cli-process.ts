import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built CLI, as an operator runs it (`npm run build` comes before the tests).
export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

const children = new Set<ChildProcess>();

// Anything the test runner inherited that would point the CLI at shared services or at vitest.
const INHERITED = [
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PREFIX',
  'JWT_SECRET',
  'NODE_ENV',
  'PORT',
  'HOST',
  'MESSAGE_RATE',
  'AUTH_RATE',
  'ACCESS_TTL',
  'CONFAB_DEMO',
  'PUBLIC_URL',
  'ADMIN_TOKEN',
  'DATA_DIR',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'MIGRATE_ON_START',
  'TRUST_PROXY',
  'SHUTDOWN_TIMEOUT_MS',
  'STORAGE_URL',
  'STORAGE_DOWNLOADS',
  'VITEST',
  'VITEST_MODE',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
];

/** This process's environment without the server's variables, plus `vars`. */
export function cleanEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED) delete env[name];
  return { ...env, ...vars };
}

/** The environment of a server node started as a process by a test: loopback, any port, no throttles, no demo. */
export function nodeEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return cleanEnv({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    MESSAGE_RATE: 'unlimited',
    AUTH_RATE: 'unlimited',
    CONFAB_DEMO: '0',
    LOG_LEVEL: 'warn',
    ...vars,
  });
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to its end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<CliRun> {
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

export interface StartedCli {
  child: ChildProcess;
  /** The address the server printed. */
  url: string;
  /** The same port on 127.0.0.1 (the printed host may resolve to ::1 first). */
  base: string;
  port: number;
  output(): string;
  /** Resolves when the process has exited (for whatever reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (a graceful stop), then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `confab-server start`; resolves once it printed "Confab listening on http://host:port". */
export function startCli(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<StartedCli> {
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
      const [, url, port] = /listening on (http:\/\/[^\s:/]+:(\d+))/.exec(stdout) ?? [];
      if (!url || !port) return;
      clearTimeout(timer);
      resolvePromise({
        child,
        url,
        base: `http://127.0.0.1:${port}`,
        port: Number(port),
        output,
        exited,
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

/** SIGKILLs every CLI process still running (a failed test must not leave servers behind). */
export function killCliProcesses(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
