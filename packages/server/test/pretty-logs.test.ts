import { afterAll, beforeAll, expect, it } from 'vitest';

import { createLogger } from '../src/logger.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// What a developer's terminal receives: the real request-log middleware behind a pretty logger.
const written: string[] = [];
const terminal = { isTTY: true, write: (text: string) => written.push(text) };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logger: createLogger('info', { format: 'auto', destination: terminal }) });
});
afterAll(() => server?.close());

it('logs each HTTP request on a terminal as one line: time, level, method, route pattern, status, duration', async () => {
  const tenant = await server.createTenant();
  const session = await server.member(tenant, 'ana');
  const room = await server.request<{ id: string }>('POST', '/v1/rooms', { token: session.accessToken, body: { name: 'Logs' } });
  expect(room.status).toBe(201);
  written.length = 0;
  const page = await server.request('GET', `/v1/rooms/${room.body.id}/messages`, { token: session.accessToken });
  expect(page.status).toBe(200);
  const missing = await server.request('GET', '/v1/no-such-thing', { token: session.accessToken });
  expect(missing.status).toBe(404);

  const lines = written.join('').split('\n').filter(Boolean);
  expect(lines).toContainEqual(
    expect.stringMatching(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  GET /v1/rooms/:id/messages 200 [\\d.]+ ms  app=${tenant.id} user=\\S+$`),
    ),
  );
  expect(lines).toContainEqual(expect.stringMatching(/ INFO {2}GET \/v1\/no-such-thing 404 [\d.]+ ms .*code=not_found/));
  // Neither the room id (it is in the pattern) nor the token reaches the line.
  expect(lines.join('\n')).not.toContain(room.body.id);
  expect(lines.join('\n')).not.toContain(session.accessToken);
});
