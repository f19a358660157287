import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

import { nodeEnv, runCli } from './cli-process.js';

export interface FrontDoor {
  url: string;
  /** The backend port of every connection, in order. */
  routed: number[];
  close(): void;
}

/**
 * What a load balancer with failover (deploy/nginx.conf) does for one client: every TCP
 * connection goes to the first of `ports` that accepts it, so the client stays on its node until
 * that node dies or stops listening, and then lands on the next one.
 */
export async function frontDoor(ports: number[]): Promise<FrontDoor> {
  const open = new Set<Socket>();
  const routed: number[] = [];
  const keep = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket)).on('error', () => socket.destroy());
    return socket;
  };
  const dial = (port: number) =>
    new Promise<Socket | null>((resolve) => {
      const upstream = connect(port, '127.0.0.1');
      upstream.once('connect', () => resolve(upstream)).once('error', () => resolve(null));
    });
  const route = async (client: Socket): Promise<void> => {
    keep(client);
    client.pause();
    for (const port of ports) {
      const upstream = await dial(port);
      if (!upstream) continue;
      if (client.destroyed) return void upstream.destroy();
      routed.push(port);
      keep(upstream).on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
      return;
    }
    client.destroy();
  };
  const server = createServer((client) => {
    route(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routed,
    close: () => {
      server.close();
      for (const socket of open) socket.destroy();
    },
  };
}

export interface CliCluster {
  /** The environment every node of the cluster starts with. */
  env: NodeJS.ProcessEnv;
  /** A connection to the cluster's own database. */
  db: pg.Client;
  redis: Redis;
  /** Creates an app with the CLI; its id and secret. */
  createApp(name: string): Promise<{ id: string; secret: string }>;
  /** Drops the database, the Redis keys and the data directory. */
  destroy(): Promise<void>;
}

/**
 * What server processes of one test cluster share: a fresh PostgreSQL database, a Redis key
 * prefix of their own (another cluster on the same Redis would otherwise sweep their presence)
 * and one JWT secret. Needs DATABASE_URL and REDIS_URL.
 */
export async function createCliCluster(name: string, extraEnv: Record<string, string> = {}): Promise<CliCluster> {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (!DATABASE_URL || !REDIS_URL) throw new Error('a CLI cluster needs DATABASE_URL and REDIS_URL');
  const database = `confab_${name}_${randomBytes(6).toString('hex')}`;
  const redisPrefix = `confab-${name}-${randomBytes(4).toString('hex')}:`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const databaseUrl = Object.assign(new URL(DATABASE_URL), { pathname: `/${database}` }).href;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const redis = new Redis(REDIS_URL);
  const dataDir = mkdtempSync(join(tmpdir(), `confab-${name}-`));
  const env = nodeEnv({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    ...extraEnv,
  });
  return {
    env,
    db,
    redis,
    async createApp(appName) {
      const created = await runCli(['apps:create', '--name', appName, '--origin', 'http://localhost:*'], env);
      if (created.code !== 0) throw new Error(`apps:create failed: ${created.stderr}`);
      return { id: printedField(created.stdout, 'id'), secret: printedField(created.stdout, 'secret') };
    },
    async destroy() {
      await db.end().catch(() => undefined);
      const keys = await redis.keys(`${redisPrefix}*`).catch(() => [] as string[]);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      const cleanup = new pg.Client({ connectionString: DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${database} with (force)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value the CLI printed as `<name>: <value>` (as `apps:create` does); throws when it printed none. */
export function printedField(stdout: string, name: string): string {
  const [, value] = new RegExp(`\\b${name}:\\s+(\\S+)`).exec(stdout) ?? [];
  if (!value) throw new Error(`The CLI printed no ${name}: ${stdout}`);
  return value;
}
