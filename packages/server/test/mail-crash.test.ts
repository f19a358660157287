import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AppWithSecretDto, AuthSessionDto, StartConversationResult } from '@confab/protocol';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killCliProcesses, nodeEnv, startCli, type StartedCli } from './helpers/cli-process.js';
import { sleep, until } from './helpers/wait.js';

const { DATABASE_URL } = process.env;
const ADMIN_TOKEN = randomBytes(24).toString('hex');

interface Delivery {
  messageId: string;
  text: string;
}

/**
 * A loopback SMTP server that can hold its reply to a message (never answering) until the test
 * lets go. A message counts as delivered only once it was answered 250 on a connection still open:
 * what a sender killed before the answer sent is, to it, not sent.
 */
async function holdingSink() {
  const delivered: Delivery[] = [];
  const held: Delivery[] = [];
  const closed = new Set<string>();
  let holdNext = false;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          const got = { messageId: mail.messageId ?? '', text: mail.text ?? '' };
          if (holdNext) {
            holdNext = false;
            held.push(got);
            return; // no callback: the sender waits for an answer that never comes
          }
          if (closed.has(session.id)) return;
          callback();
          delivered.push(got);
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    delivered,
    held,
    holdNext: () => (holdNext = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(DATABASE_URL)('a server process killed while sending mail', () => {
  const database = `confab_mailcrash_${randomBytes(6).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-mailcrash-'));
  let db: pg.Client;
  let sink: Awaited<ReturnType<typeof holdingSink>>;
  let env: NodeJS.ProcessEnv;
  let appId: string;
  const nodes: StartedCli[] = [];

  const start = async () => {
    const node = await startCli(env);
    nodes.push(node);
    return node;
  };
  const call = async <T>(node: StartedCli, method: string, path: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(node.base + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const parsed = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  /** A visitor with an email starts a conversation and asks for its transcript; the conversation's id. */
  const queueTranscript = async (node: StartedCli, email: string) => {
    const guest = await call<AuthSessionDto>(node, 'POST', '/v1/auth/guest', { name: 'Vera', email }, { 'x-confab-app': appId });
    const auth = { authorization: `Bearer ${guest.accessToken}` };
    const room = await call<StartConversationResult>(
      node,
      'POST',
      '/v1/support/conversations',
      { text: `Hi ${email}`, clientId: randomUUID() },
      auth,
    );
    await call(node, 'POST', `/v1/support/conversations/${room.id}/transcript`, {}, auth);
    return room.id;
  };
  const rowOf = async (roomId: string) =>
    (
      await db.query<{ status: string; attempts: number; message_id: string }>(
        'select status, attempts, message_id from mail_outbox where room_id = $1',
        [roomId],
      )
    ).rows;
  const kill = async (node: StartedCli) => {
    node.child.kill('SIGKILL');
    expect((await node.exited).signal).toBe('SIGKILL');
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const databaseUrl = Object.assign(new URL(DATABASE_URL!), { pathname: `/${database}` }).href;
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    sink = await holdingSink();
    env = nodeEnv({
      DATABASE_URL: databaseUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_TOKEN,
      MIGRATE_ON_START: '1',
      DATA_DIR: dataDir,
      SMTP_URL: sink.url,
      MAIL_FROM: 'Acme <help@acme.test>',
    });
  }, 30_000);

  afterAll(async () => {
    killCliProcesses();
    await sink?.close();
    await db?.end().catch(() => undefined);
    const cleanup = new pg.Client({ connectionString: DATABASE_URL });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${database} with (force)`);
    await cleanup.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends no duplicate when the node dies waiting for the SMTP answer', async () => {
    const first = await start();
    appId = (
      await call<AppWithSecretDto>(
        first,
        'POST',
        '/v1/admin/apps',
        { name: 'Crash', origins: [] },
        { authorization: `Bearer ${ADMIN_TOKEN}` },
      )
    ).id;
    sink.holdNext();
    const roomId = await queueTranscript(first, 'held@example.test');
    await until('the message handed over and held', () => sink.held.length === 1, 15_000);
    await kill(first);
    const [orphan] = await rowOf(roomId);
    expect(orphan).toMatchObject({ status: 'pending', attempts: 1 });
    expect(sink.held[0]!.messageId).toBe(orphan!.message_id);
    // The dead node's claim lasts its 2-minute lease; the test ends it now instead of waiting.
    await db.query('update mail_outbox set next_attempt_at = now() where room_id = $1', [roomId]);

    const second = await start();
    const row = await until(
      'the row sent by the new node',
      async () => {
        const [r] = await rowOf(roomId);
        return r?.status === 'sent' && r;
      },
      20_000,
    );
    await sleep(500);
    const ours = sink.delivered.filter((d) => d.text.includes(roomId));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.messageId).toBe(row.message_id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    await second.stop();
  }, 90_000);

  it('sends nothing more after a node that had marked the mail sent is killed', async () => {
    const node = await start();
    const roomId = await queueTranscript(node, 'sent@example.test');
    await until('the row marked sent', async () => (await rowOf(roomId))[0]?.status === 'sent', 15_000);
    await kill(node);
    // Even with its time come round again, a sent row is not claimed.
    await db.query('update mail_outbox set next_attempt_at = now() where room_id = $1', [roomId]);
    const next = await start();
    const other = await queueTranscript(next, 'later@example.test');
    // The new node's sender has run (it sent the next mail) and left the sent one alone.
    await until('the next mail delivered', () => sink.delivered.some((d) => d.text.includes(other)), 15_000);
    await sleep(500);
    expect(sink.delivered.filter((d) => d.text.includes(roomId))).toHaveLength(1);
    expect((await rowOf(roomId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
    await next.stop();
  }, 90_000);
});
