import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
  MessageDto,
  RoomDto,
  StartConversationResult,
  SupportAvailabilityDto,
  SupportConversationDto,
  WebhookPayload,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect, waitFor } from './helpers/sockets.js';
import { sleep, until } from './helpers/wait.js';

const ADMIN_TOKEN = 'cluster-admin-token-0123456789abcdef';
const clustered = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(clustered)('support across two nodes', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let tenant: App;
  const sockets: ClientSocket[] = [];
  let receiver: Server;
  let receiverUrl = '';
  const received: WebhookPayload[] = [];

  beforeAll(async () => {
    const timings = { pollMs: 50, retryBaseMs: 100 };
    nodeA = await startTestServer({ env: { ADMIN_TOKEN }, webhooks: timings });
    nodeB = await startTestServer({ env: { ADMIN_TOKEN }, webhooks: timings, peer: nodeA });
    await until('both adapters subscribed', async () => {
      const counts = await Promise.all(
        [nodeA, nodeB].map((n) => (n.app.io.of('/').adapter as unknown as { serverCount(): Promise<number> }).serverCount().catch(() => 0)),
      );
      return counts.every((c) => c >= 2);
    });
    tenant = await nodeA.createTenant();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body) as WebhookPayload);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await nodeB?.close();
    await nodeA?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('notifies an agent on node B of a conversation a visitor starts on node A, and shows the agent online to visitors on A', async () => {
    const agent = await nodeB.member(tenant, 'agent-b', { role: 'agent', name: 'Bia' });
    const visitor = await nodeA.guest(tenant, 'Vera');
    const visitorSocket = await connect(nodeA, visitor);
    sockets.push(visitorSocket);
    const online = waitFor<SupportAvailabilityDto>(visitorSocket, 'support:availability', (a) => a.online === 1);
    const agentSocket = await connect(nodeB, agent);
    sockets.push(agentSocket);
    expect((await online).agents.find((a) => a.id === agent.user.id)?.status).toBe('online');

    const notified = waitFor<SupportConversationDto>(agentSocket, 'support:conversation');
    const started = await nodeA.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'Anyone there?', clientId: 'cluster-1' },
    });
    expect(started.status).toBe(201);
    const conversation = await notified;
    expect(conversation.id).toBe(started.body.id);
    expect(conversation.lastMessage?.text).toBe('Anyone there?');

    const updated = waitFor<SupportConversationDto>(
      visitorSocket,
      'room:updated',
      (r) => r.id === conversation.id && r.support.assigneeId === agent.user.id,
    );
    const claimed = await nodeB.request('POST', `/v1/support/conversations/${conversation.id}/assign`, {
      token: agent.accessToken,
      body: {},
    });
    expect(claimed.status).toBe(200);
    expect((await updated).assignee?.name).toBe('Bia');
  });

  it('delivers each webhook event once although both nodes dispatch', async () => {
    const created = await nodeA.request('POST', `/v1/admin/apps/${tenant.id}/webhooks`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { url: receiverUrl, events: ['message.created'] },
    });
    expect(created.status).toBe(201);
    // Node B learns of the new webhook within its cache time.
    await sleep(5_200);
    const ana = await nodeA.member(tenant, 'ana');
    const room = await nodeA.request<RoomDto>('POST', '/v1/rooms', { token: ana.accessToken, body: { kind: 'group', name: 'Twice?' } });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const node = i % 2 ? nodeB : nodeA;
      const sent = await node.request<MessageDto>('POST', `/v1/rooms/${room.body.id}/messages`, {
        token: ana.accessToken,
        body: { clientId: `m-${i}`, text: `message ${i}` },
      });
      expect(sent.status).toBe(201);
      ids.push(sent.body.id);
    }
    await until('all 20 deliveries', () => received.filter((p) => p.type === 'message.created').length >= 20, 10_000);
    await sleep(500);
    const delivered = received.filter((p) => p.type === 'message.created').map((p) => (p.data as { message: { id: string } }).message.id);
    expect(delivered.sort()).toEqual([...ids].sort());
  }, 20_000);
});
