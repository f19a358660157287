import type { MessageDto, RoomDto, RoomJoinResult } from '@confab/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './helpers/server.js';
import { call, connect, waitFor } from './helpers/sockets.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('delivers a message sent over a socket to another member watching the room, and counts it in /metrics', async () => {
  const tenant = await server.createTenant();
  const ana = await server.member(tenant, 'ana');
  const bob = await server.member(tenant, 'bob');
  const room = (
    await server.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'r', memberIds: [bob.user.id] } })
  ).body;
  const a = await connect(server, ana);
  const b = await connect(server, bob);
  try {
    await call(a, 'room:join', { roomId: room.id });
    const joined = await call<RoomJoinResult>(b, 'room:join', { roomId: room.id });
    expect(joined.room.id).toBe(room.id);
    const arrived = waitFor<MessageDto>(b, 'message:created');
    const sent = await call<{ message: MessageDto }>(a, 'message:send', { roomId: room.id, clientId: 'c1', text: 'hi Bob' });
    expect(sent.message.seq).toBe(1);
    expect((await arrived).id).toBe(sent.message.id);

    const metrics = (await server.request<string>('GET', '/metrics')).body;
    expect(metrics).toMatch(/confab_socket_connections 2\b/);
    expect(metrics).toMatch(/confab_socket_events_total\{event="message:send",outcome="ok"\} 1\b/);
    expect(metrics).toMatch(/confab_messages_persisted_total 1\b/);
    expect(metrics).toMatch(/confab_fanout_latency_seconds_count 1\b/);
  } finally {
    a.close();
    b.close();
  }
});
