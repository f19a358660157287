import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { clientIdOf, connectRaw } from './raw-socket.js';

// A real Socket.IO server, as the benchmark's servers are, with pings every 50 ms.
let http: HttpServer;
let io: Server;
let url: string;

beforeAll(async () => {
  http = createServer();
  io = new Server(http, { pingInterval: 50, pingTimeout: 200 });
  io.use((socket, next) => (socket.handshake.auth.token === 'bad' ? next(new Error('unauthorized')) : next()));
  io.on('connection', (socket) => {
    socket.on('echo', (input: unknown, ack: (response: unknown) => void) =>
      ack({ data: { input, app: socket.handshake.query.app, token: socket.handshake.auth.token } }),
    );
    socket.on('fail', (_input: unknown, ack: (response: unknown) => void) => ack({ error: { code: 'forbidden', message: 'no' } }));
    socket.on('shout', (input: { clientId: string }, ack: (response: unknown) => void) => {
      socket.emit('message:created', { id: 'm1', clientId: input.clientId, text: 'a "quoted" text' });
      ack({ data: {} });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await io.close();
});

describe('connectRaw', () => {
  it('connects with the token as auth and the app in the query, and resolves acks with their data', async () => {
    const socket = await connectRaw({ url, app: 'app1' }, { token: 't1' });
    expect(await socket.emitAck('echo', { n: 1 })).toEqual({ input: { n: 1 }, app: 'app1', token: 't1' });
    socket.close();
  });

  it('rejects an ack that carries an error with its code', async () => {
    const socket = await connectRaw({ url });
    await expect(socket.emitAck('fail', {})).rejects.toThrow('fail: forbidden no');
    socket.close();
  });

  it('rejects a refused handshake', async () => {
    await expect(connectRaw({ url }, { token: 'bad' })).rejects.toThrow(/connect_error.*unauthorized/);
  });

  it("hands over an event's frame, whose clientId can be read without decoding it", async () => {
    const socket = await connectRaw({ url });
    const frame = new Promise<Buffer>((resolve) => socket.onEvent('message:created', resolve));
    await socket.emitAck('shout', { clientId: 'run.1.0-1.123' });
    expect(clientIdOf(await frame)).toBe('run.1.0-1.123');
    socket.close();
  });

  it('answers pings, so the server keeps the connection open', async () => {
    const socket = await connectRaw({ url });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await socket.emitAck('echo', 'still here')).toMatchObject({ input: 'still here' });
    socket.close();
  });
});

describe('clientIdOf', () => {
  it('reads the first clientId string and ignores a null one', () => {
    expect(clientIdOf(Buffer.from('42["message:created",{"id":"x","clientId":"abc","sender":{"clientId":"no"}}]'))).toBe('abc');
    expect(clientIdOf(Buffer.from('42["message:created",{"id":"x","clientId":null}]'))).toBeNull();
  });
});
