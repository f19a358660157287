import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatClient, ChatError, createClient, type SupportConversationDto } from '@confab/sdk';
import type { App } from '../src/db/models/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let server: TestServer;
let tenant: App;
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.logout().catch(() => undefined)));
});
afterAll(() => server?.close());

function open(): ChatClient {
  const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
  clients.push(client);
  return client;
}

async function agent(name: string): Promise<ChatClient> {
  const client = open();
  await client.connectSession(await server.member(tenant, `${name}-${Math.random().toString(36).slice(2, 8)}`, { name, role: 'agent' }));
  return client;
}

describe('SDK support and uploads', () => {
  it('lets a visitor start a conversation with a file that an agent sees live, claims, downloads and resolves', async () => {
    const ana = await agent('Ana');
    const heard: SupportConversationDto[] = [];
    ana.on('support:conversation', (c) => heard.push(c));

    const visitor = open();
    // Presence registers the agent's socket just after it connects.
    await until('agent online', async () => (await visitor.support.settings()).online === 1);
    await visitor.connectGuest({ name: 'Vera' });
    const file = await visitor.uploads.upload(new Blob([PNG]), 'pixel.png');
    expect(file).toMatchObject({ type: 'image/png', width: 1, height: 1, name: 'pixel.png' });
    const started = await visitor.support.start({ text: 'Here is the screenshot', attachments: [file.id], visitor: { locale: 'pt-BR' } });
    expect(started.message?.attachments.map((a) => a.id)).toEqual([file.id]);
    expect(started.support).toMatchObject({ status: 'open', assigneeId: null, visitor: { locale: 'pt-BR' } });

    const seen = await until('support:conversation', () => heard.find((c) => c.id === started.id));
    expect(seen.visitor?.name).toBe('Vera');
    const inbox = await ana.support.inbox({ status: 'open', assignee: 'none' });
    expect(inbox.items.find((c) => c.id === started.id)?.unreadCount).toBe(1);

    const claimed = await ana.support.assign(started.id);
    expect(claimed.assignee?.name).toBe('Ana');
    const src = await ana.uploads.src(file);
    const image = await fetch(src);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);

    const room = await visitor.room(started.id).watch();
    const resolved = await ana.support.resolve(started.id);
    expect(resolved.support.status).toBe('resolved');
    await until('resolved note', () => room.state.get().messages.find((m) => m.type === 'system' && m.system?.event === 'resolved'));
  });

  it('keeps the inbox and canned responses for agents: a visitor gets a forbidden ChatError', async () => {
    const ana = await agent('Ana');
    const saved = await ana.support.canned.create({ shortcut: 'Refund', text: 'Refunds take 5 days.' });
    expect(saved.shortcut).toBe('refund');
    expect((await ana.support.canned.list('ref')).items.map((c) => c.id)).toEqual([saved.id]);
    await ana.support.canned.delete(saved.id);
    expect((await ana.support.canned.list()).items).toEqual([]);

    const visitor = open();
    await visitor.connectGuest({ name: 'Vic' });
    const refused = await visitor.support.inbox().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatError);
    expect(refused).toMatchObject({ code: 'forbidden', status: 403 });
    const away = await ana.support.setAvailability('away');
    expect(away).toMatchObject({ online: 0, away: 1, available: false });
  });
});
