// Starting Confab the way an operator does (the built CLI), and preparing what a scenario needs
// through the public API: a tenant, signed-in users, a room.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { AuthSessionDto } from '@confab/protocol';
import jwt from 'jsonwebtoken';
import pg from 'pg';

import { type ServerProcess, startServerProcess } from './processes.js';
import { mapLimit } from './stats.js';

const require = createRequire(import.meta.url);
const CLI = join(require.resolve('@confab/server/package.json'), '..', 'dist', 'cli.js');

export interface BenchEnv {
  /** The benchmark's own database (created for the run, dropped after). */
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  dataDir: string;
  /** The Confab nodes' Redis prefix: this run's keys never meet another cluster's. */
  redisPrefix: string;
  profileDir?: string;
}

/** A fresh database on the server of `baseUrl`, dropped by `drop()`. */
export async function createBenchDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `confab_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
}

export function benchEnv(databaseUrl: string, redisUrl: string, profileDir?: string): BenchEnv {
  return {
    databaseUrl,
    redisUrl,
    jwtSecret: randomBytes(32).toString('hex'),
    dataDir: mkdtempSync(join(tmpdir(), 'confab-bench-')),
    redisPrefix: `confab-bench-${randomBytes(4).toString('hex')}:`,
    profileDir,
  };
}

function confabVars(env: BenchEnv, redis: boolean): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: env.databaseUrl,
    ...(redis ? { REDIS_URL: env.redisUrl, REDIS_PREFIX: env.redisPrefix } : {}),
    JWT_SECRET: env.jwtSecret,
    DATA_DIR: env.dataDir,
    // Throttles would measure the limits, not the server.
    MESSAGE_RATE: 'unlimited',
    AUTH_RATE: 'unlimited',
    CONFAB_DEMO: '0',
    LOG_LEVEL: 'warn',
  };
}

/** One Confab node (`confab-server start`), with Redis as in production; `settings` adds to its environment. */
export function startConfab(env: BenchEnv, name = 'confab', settings: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({ name, script: CLI, args: ['start'], env: { ...confabVars(env, true), ...settings } });
}

/** The baseline: a bare Socket.IO broadcast server (with the Redis adapter when `cluster` is set). */
export function startBaseline(env: BenchEnv, name = 'baseline', cluster?: string): Promise<ServerProcess> {
  const script = new URL('./baseline-server.js', import.meta.url).pathname;
  return startServerProcess({ name, script, env: cluster ? { REDIS_URL: env.redisUrl, BASELINE_CLUSTER: cluster } : {} });
}

export interface Tenant {
  id: string;
  secret: string;
}

/** `confab-server apps:create`, as an operator creates an app. */
export async function createTenant(env: BenchEnv): Promise<Tenant> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'apps:create', '--name', `Bench ${randomUUID().slice(0, 6)}`, '--origin', 'http://localhost:*'],
    {
      env: { ...process.env, ...confabVars(env, false) },
    },
  );
  const id = /id:\s+(\S+)/.exec(stdout)?.[1];
  const secret = /secret:\s+(\S+)/.exec(stdout)?.[1];
  if (!id || !secret) throw new Error(`apps:create printed no id/secret: ${stdout}`);
  return { id, secret };
}

export interface BenchUser {
  id: string;
  accessToken: string;
  session: AuthSessionDto;
}

/** One REST call; a non-2xx answer throws with its status and body. */
export async function api<T>(url: string, method: string, path: string, app: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-confab-app': app, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface SignInOptions {
  /** The host's user id of user `i` (its `sub`); a new one per call by default. */
  subject?: (i: number) => string;
  name?: (i: number) => string;
  role?: 'user' | 'agent' | 'admin';
}

/** `count` members signed in through host-signed tokens (POST /v1/auth/exchange). */
export async function signInUsers(
  url: string,
  tenant: Tenant,
  count: number,
  concurrency = 32,
  options: SignInOptions = {},
): Promise<BenchUser[]> {
  const run = randomBytes(3).toString('hex');
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const claims = { name: options.name?.(i) ?? `Bench ${i}`, ...(options.role ? { role: options.role } : {}) };
      const token = jwt.sign(claims, tenant.secret, {
        algorithm: 'HS256',
        subject: options.subject?.(i) ?? `bench-${run}-${i}`,
        audience: tenant.id,
        expiresIn: '1h',
      });
      const session = await api<AuthSessionDto>(url, 'POST', '/v1/auth/exchange', tenant.id, { token });
      return { id: session.user.id, accessToken: session.accessToken, session };
    },
  );
}

/** A group room owned by `owner` with every user in `members` (added 100 at a time, the API's limit). */
export async function createRoom(url: string, tenant: Tenant, owner: BenchUser, members: BenchUser[]): Promise<string> {
  const room = await api<{ id: string }>(
    url,
    'POST',
    '/v1/rooms',
    tenant.id,
    { name: `bench ${randomUUID().slice(0, 6)}`, kind: 'group' },
    owner.accessToken,
  );
  const others = members.filter((m) => m.id !== owner.id).map((m) => m.id);
  for (let i = 0; i < others.length; i += 100) {
    await api(url, 'POST', `/v1/rooms/${room.id}/members`, tenant.id, { userIds: others.slice(i, i + 100) }, owner.accessToken);
  }
  return room.id;
}
