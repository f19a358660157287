import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';

import type { Ack, AuthSessionDto, MessageDto, ServerToClientEvents } from '@confab/protocol';
import { type ChatClient, createClient, type Room } from '@confab/sdk';
import jwt from 'jsonwebtoken';
import type pg from 'pg';
import { io as ioClient, Manager, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CliCluster, createCliCluster, type FrontDoor, frontDoor } from './helpers/cli-cluster.js';
import { killCliProcesses, startCli, type StartedCli } from './helpers/cli-process.js';
import { sleep, until } from './helpers/wait.js';

const { DATABASE_URL, REDIS_URL } = process.env;
const SHUTDOWN_TIMEOUT_MS = 8_000;
const UPLOAD_MS = 1_500;
const REST_SENDS = 10;

type RawSocket = Socket<ServerToClientEvents>;

interface Reply {
  status: number;
  body: unknown;
}

/** Starts a POST whose body goes out in `chunks`, each when `pace(i)` resolves; `done` has the reply (status 0: cut). */
function slowPost(url: string, token: string, headers: Record<string, string>, chunks: Buffer[], pace: (i: number) => Promise<void>) {
  let finished = false;
  let req!: ClientRequest;
  const done = new Promise<Reply>((resolve) => {
    req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, authorization: `Bearer ${token}`, 'content-length': String(chunks.reduce((n, c) => n + c.length, 0)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text && /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : text,
          }),
        );
        res.on('error', () => resolve({ status: 0, body: null }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
  }).finally(() => (finished = true));
  const connected = new Promise<void>((resolve) => req.once('socket', (socket) => socket.once('connect', () => resolve())));
  void (async () => {
    for (let i = 0; i < chunks.length; i++) {
      await pace(i);
      if (req.destroyed) return;
      if (i === chunks.length - 1) req.end(chunks[i]);
      else req.write(chunks[i]);
    }
  })();
  return {
    done,
    connected,
    get finished() {
      return finished;
    },
  };
}

/** What a fresh TCP connection to `port` gets: 'connected', or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A connection holding the head of `GET path` (not yet complete, so the server counts it busy); `finish()` completes it. */
async function heldRequest(port: number, path: string): Promise<{ finish(): Promise<string> }> {
  const socket = netConnect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
  let text = '';
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(text)).once('error', () => undefined));
  return {
    finish: () => {
      socket.write('Connection: close\r\n\r\n');
      return ended;
    },
  };
}

describe.runIf(DATABASE_URL && REDIS_URL)('SIGTERM on one of two server processes', () => {
  let cluster: CliCluster | undefined;
  let db: pg.Client;
  let env: NodeJS.ProcessEnv;
  let a: StartedCli;
  let b: StartedCli;
  const others: StartedCli[] = [];
  let door: FrontDoor | undefined;
  let appId: string;
  let roomId: string;
  let carol: AuthSessionDto;
  let bob: AuthSessionDto;
  let alice: ChatClient | undefined;
  let aliceRoom: Room;
  const raw: RawSocket[] = [];

  const exchange = async (base: string, secret: string, name: string): Promise<AuthSessionDto> => {
    const token = jwt.sign({ name }, secret, { algorithm: 'HS256', subject: name, audience: appId, expiresIn: '1h' });
    const res = await fetch(`${base}/v1/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-confab-app': appId },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as AuthSessionDto;
  };
  const socketTo = async (base: string, session: AuthSessionDto, transport: 'websocket' | 'polling' = 'websocket'): Promise<RawSocket> => {
    const socket: RawSocket = ioClient(base, {
      auth: { token: session.accessToken },
      query: { app: appId },
      transports: [transport],
      // Polls on kept-alive connections, as browsers do.
      ...(transport === 'polling' ? { agent: new Agent({ keepAlive: true }) as never } : {}),
      forceNew: true,
      reconnection: false,
    });
    raw.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    return socket;
  };
  const ask = <T>(socket: RawSocket, event: string, payload: unknown, timeoutMs = 5_000) =>
    (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;

  beforeAll(async () => {
    cluster = await createCliCluster('shutdown', { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    ({ env, db } = cluster);
    a = await startCli(env);
    b = await startCli(env);
    const app = await cluster.createApp('Shutdown');
    appId = app.id;
    const { secret } = app;

    door = await frontDoor([a.port, b.port]);
    alice = createClient({ url: door.url, app: appId });
    const aliceUser = await alice.connectUser(() =>
      Promise.resolve(jwt.sign({ name: 'alice' }, secret, { algorithm: 'HS256', subject: 'alice', audience: appId, expiresIn: '1h' })),
    );
    [carol, bob] = await Promise.all([exchange(b.base, secret, 'carol'), exchange(b.base, secret, 'bob')]);
    const room = await fetch(`${b.base}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${carol.accessToken}` },
      body: JSON.stringify({ name: 'Rolling restart', kind: 'group', memberIds: [aliceUser.id, bob.user.id] }),
    });
    expect(room.status).toBe(201);
    roomId = ((await room.json()) as { id: string }).id;
    aliceRoom = await alice.room(roomId).watch();
  }, 90_000);

  afterAll(async () => {
    for (const socket of raw) socket.disconnect();
    alice?.disconnect();
    door?.close();
    await Promise.race([Promise.all([a, b, ...others].filter(Boolean).map((node) => node.stop())), sleep(15_000)]);
    killCliProcesses();
    await cluster?.destroy();
  }, 40_000);

  it('finishes the upload and every request in flight, hands its sockets to the other node, loses no message, exits 0', async () => {
    // Bob, on B the whole time, hears live what reaches B: every message A commits must come over Redis.
    const bobSocket = await socketTo(b.base, bob);
    const heard: MessageDto[] = [];
    bobSocket.on('message:created', (message) => heard.push(message));
    expect((await ask(bobSocket, 'room:join', { roomId })).error).toBeUndefined();

    // Carol's raw socket on A: sends a stream of messages and notes how the node lets go of her.
    const carolSocket = await socketTo(a.base, carol);
    const seenByCarol: string[] = [];
    carolSocket.on('server:shutdown', (info) => seenByCarol.push(`server:shutdown ${typeof info.reconnectInMs}`));
    carolSocket.on('disconnect', (reason) => seenByCarol.push(`disconnect: ${reason}`));
    const carolSends: { clientId: string; ack: Ack<{ message: MessageDto }> | null }[] = [];
    const carolStream = (async () => {
      for (let i = 1; carolSocket.connected; i++) {
        const clientId = `carol-socket-${i}-${randomUUID()}`;
        const ack = await ask<{ message: MessageDto }>(
          carolSocket,
          'message:send',
          { roomId, clientId, text: `carol socket #${i}` },
          3_000,
        ).catch(() => null);
        carolSends.push({ clientId, ack });
        await sleep(40);
      }
    })();

    // Alice (SDK, through the failover door, so on A): a steady stream of sends that must all land.
    const aliceSends: Promise<MessageDto>[] = [];
    const aliceStream = (async () => {
      for (let i = 1; i <= 20; i++) {
        aliceSends.push(aliceRoom.send(`alice #${i}`));
        await sleep(75);
      }
    })();
    await until('some of both streams to be acknowledged', () => carolSends.some((s) => s.ack?.data) && aliceSends.length > 2);

    // (a) an upload trickled over UPLOAD_MS and (b) REST sends whose bodies stop half way until released.
    const boundary = `----confab-${randomBytes(4).toString('hex')}`;
    const fileChunks = Array.from({ length: 15 }, (_, i) => Buffer.from(`line ${i} ${'x'.repeat(500)}\n`));
    const upload = slowPost(
      `${a.base}/v1/uploads`,
      carol.accessToken,
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n`,
        ),
        ...fileChunks,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ],
      (i) => sleep(i === 0 ? 0 : UPLOAD_MS / 16),
    );
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const restSends = Array.from({ length: REST_SENDS }, (_, i) => {
      const body = Buffer.from(JSON.stringify({ clientId: `carol-rest-${i}-${randomUUID()}`, text: `carol rest #${i}` }));
      const half = Math.floor(body.length / 2);
      return slowPost(
        `${a.base}/v1/rooms/${roomId}/messages`,
        carol.accessToken,
        { 'content-type': 'application/json' },
        [body.subarray(0, half), body.subarray(half)],
        (chunk) => (chunk === 0 ? Promise.resolve() : released),
      );
    });
    const readyz = await heldRequest(a.port, '/readyz');
    await Promise.all([upload.connected, ...restSends.map((s) => s.connected)]);
    await sleep(400);
    expect(upload.finished).toBe(false);

    a.child.kill('SIGTERM');
    const signalledAt = Date.now();
    // A takes no new connection while its work in flight is still going on, and says it is draining.
    await until('A to stop accepting connections', async () => (await tryConnect(a.port)) !== 'connected');
    expect(await tryConnect(a.port)).toBe('ECONNREFUSED');
    expect(upload.finished).toBe(false);
    const ready = await readyz.finish();
    expect(ready).toMatch(/^HTTP\/1\.1 503 /);
    expect(ready).toContain('"status":"draining"');
    expect(upload.finished).toBe(false);
    expect(restSends.some((s) => s.finished)).toBe(false);
    release();

    // Every request started before the signal completes with a 2xx.
    const uploaded = await upload.done;
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(uploaded.body).toMatchObject({ type: 'text/plain', size: fileChunks.reduce((n, c) => n + c.length, 0) });
    const restReplies = await Promise.all(restSends.map((s) => s.done));
    expect(restReplies.map((r) => r.status)).toEqual(restReplies.map(() => 201));

    const exit = await a.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    expect(exit, a.output()).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // What A committed while draining reached B live, through Redis: within moments of A's exit,
    // before anything later could make B repair the gap from the database.
    const committedOnA = [
      ...restReplies.map((r) => (r.body as MessageDto).id),
      ...carolSends.flatMap((s) => (s.ack?.data ? [s.ack.data.message.id] : [])),
    ];
    const unheard = () => committedOnA.filter((id) => !heard.some((m) => m.id === id));
    await until('bob to hear live what A committed', () => unheard().length === 0, 300).catch(() => undefined);
    expect(unheard()).toEqual([]);
    await carolStream;
    await aliceStream;

    // Carol was told, then let go of by the server (the SDK reconnects on exactly that reason).
    expect(seenByCarol).toEqual(['server:shutdown number', 'disconnect: io server disconnect']);
    // New events on a draining node are refused, retryably, rather than started.
    expect(carolSends.filter((s) => s.ack?.error).map((s) => s.ack!.error!.code)).toEqual(
      carolSends.filter((s) => s.ack?.error).map(() => 'unavailable'),
    );
    expect(carolSends.some((s) => s.ack?.error)).toBe(true);

    // Alice was told to go, came back through the door on B, and every one of her sends landed there or on A.
    const aliceAcked = await Promise.all(aliceSends);
    await until('alice back online', () => alice!.status === 'online');
    const sinceSignal = door!.routed.slice(door!.routed.lastIndexOf(a.port) + 1);
    expect(sinceSignal.length).toBeGreaterThan(0);
    expect(new Set(sinceSignal)).toEqual(new Set([b.port]));

    // The database holds every acknowledged message exactly once, and nothing that was refused.
    const { rows } = await db.query<{ id: string; client_id: string }>(
      'select id, client_id from messages where room_id = $1 order by seq',
      [roomId],
    );
    const byClientId = new Map<string, number>();
    for (const row of rows) byClientId.set(row.client_id, (byClientId.get(row.client_id) ?? 0) + 1);
    expect([...byClientId.values()].every((n) => n === 1)).toBe(true);
    const acked = [
      ...restReplies.map((r) => r.body as MessageDto),
      ...carolSends.flatMap((s) => (s.ack?.data ? [s.ack.data.message] : [])),
      ...aliceAcked,
    ];
    const ids = new Set(rows.map((r) => r.id));
    for (const message of acked) expect(ids.has(message.id), message.text).toBe(true);
    for (const refused of carolSends.filter((s) => s.ack?.error)) expect(byClientId.has(refused.clientId), refused.clientId).toBe(false);
    expect(acked.length).toBe(REST_SENDS + carolSends.filter((s) => s.ack?.data).length + 20);

    // Bob, on B, heard every message in the database (those A committed after the signal too).
    await until('bob to hear every stored message', () => rows.every((r) => heard.some((m) => m.id === r.id)), 5_000).catch(
      () => undefined,
    );
    expect(rows.map((r) => r.id).filter((id) => !heard.some((m) => m.id === id))).toEqual([]);

    // The node said what it did: nothing cut, and how long the drain took.
    const drained = a
      .output()
      .split('\n')
      .map((line) => /\{.*"msg":"drained".*\}/.exec(line)?.[0])
      .find(Boolean);
    expect(drained, a.output()).toBeDefined();
    const summary = JSON.parse(drained!) as Record<string, number>;
    expect(summary).toMatchObject({ cutRequests: 0, cutHandlers: 0 });
    expect(summary.requests).toBeGreaterThanOrEqual(REST_SENDS + 2);
    process.stdout.write(`graceful shutdown: exited ${exitedAfterMs} ms after SIGTERM; ${drained}\n`);
  }, 60_000);

  /** A message send whose body stops half way and is never finished. */
  const hungSend = (node: StartedCli) => {
    const body = Buffer.from(JSON.stringify({ clientId: `hung-${randomUUID()}`, text: 'never finished' }));
    return slowPost(
      `${node.base}/v1/rooms/${roomId}/messages`,
      carol.accessToken,
      { 'content-type': 'application/json' },
      [body.subarray(0, 10), body.subarray(10)],
      (chunk) => (chunk === 0 ? Promise.resolve() : new Promise<void>(() => undefined)),
    );
  };

  it('waits no longer than SHUTDOWN_TIMEOUT_MS for a request that never ends, and never for Engine.IO long-polling', async () => {
    const c = await startCli({ ...env, SHUTDOWN_TIMEOUT_MS: '1000' });
    others.push(c);
    const polling = await socketTo(c.base, bob, 'polling');
    const seen: string[] = [];
    polling.on('server:shutdown', () => seen.push('server:shutdown'));
    polling.on('disconnect', (reason) => seen.push(`disconnect: ${reason}`));
    const hung = hungSend(c);
    await hung.connected;
    await sleep(200);

    c.child.kill('SIGTERM');
    const signalledAt = Date.now();
    expect(await c.exited, c.output()).toEqual({ code: 0, signal: null });
    const tookMs = Date.now() - signalledAt;
    expect(tookMs).toBeGreaterThanOrEqual(1_000);
    expect(tookMs).toBeLessThan(4_000);
    expect((await hung.done).status).toBe(0);
    // Cut: the send; not counted at all: the poll request held open by the polling socket.
    expect(c.output()).toMatch(/"cutRequests":1,"cutHandlers":0/);
    expect(seen).toEqual(['server:shutdown', 'disconnect: io server disconnect']);
  }, 30_000);

  it('refuses new Socket.IO handshakes retryably while it drains, and exits at once, with code 1, on a second signal', async () => {
    const d = await startCli({ ...env, SHUTDOWN_TIMEOUT_MS: '30000' });
    others.push(d);
    const hung = hungSend(d);
    // Ways in that outlive the listening socket: a handshake already on its way, and an open
    // Engine.IO connection that has not joined the namespace yet.
    const handshake = await heldRequest(d.port, `/socket.io/?EIO=4&transport=polling&app=${appId}`);
    const manager = new Manager(d.base, { transports: ['websocket'], reconnection: false, autoConnect: false, query: { app: appId } });
    await new Promise<void>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve())));
    await hung.connected;
    await sleep(200);

    d.child.kill('SIGTERM');
    await until('D to stop accepting connections', async () => (await tryConnect(d.port)) === 'ECONNREFUSED');
    const refusedHandshake = await handshake.finish();
    expect(refusedHandshake).toMatch(/^HTTP\/1\.1 403 /);
    expect(refusedHandshake).toContain('"message":"unavailable"');
    const late = manager.socket('/', { auth: { token: carol.accessToken } });
    const refusal = await new Promise<unknown>((resolve) => {
      late.once('connect', () => resolve('connected'));
      late.once('connect_error', (err) => resolve(err));
      late.connect();
    });
    expect(refusal).toMatchObject({ data: { code: 'unavailable' } });
    late.disconnect();

    expect(d.child.exitCode).toBeNull();
    d.child.kill('SIGTERM');
    const signalledAt = Date.now();
    expect(await d.exited, d.output()).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(1_000);
  }, 30_000);
});
