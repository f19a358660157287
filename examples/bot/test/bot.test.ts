import { type ChatClient, ChatError, createClient, type Room, type UserDto } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type App, User } from '../../../packages/server/src/db/models/index.js';
import { hashPassword } from '../../../packages/server/src/services/auth/passwords.js';
import { startTestServer, type TestServer } from '../../../packages/server/test/helpers/server.js';
import { type Bot, type BotLogger, createBot, DEFAULT_HANDOFF } from '../src/bot.js';
import { DEFAULT_FAQS } from '../src/faq.js';

const answer = (id: string) => DEFAULT_FAQS.find((f) => f.id === id)!.answer;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  level: 'info' | 'warn';
  message: string;
  [key: string]: unknown;
}

function collectingLogger(lines: LogLine[]): BotLogger {
  return {
    info: (message, data) => lines.push({ level: 'info', message, ...data }),
    warn: (message, data) => lines.push({ level: 'warn', message, ...data }),
  };
}

describe('FAQ bot on the SDK, against a real server', () => {
  let server: TestServer;
  let tenant: App;
  let bot: Bot;
  let botUser: UserDto;
  const logs: LogLine[] = [];
  const clients: ChatClient[] = [];

  const startBot = async () => {
    bot = createBot({
      url: server.url,
      app: tenant.id,
      auth: { secret: tenant.secret, name: 'Acme FAQ bot' },
      logger: collectingLogger(logs),
    });
    botUser = await bot.start();
  };

  /** A visitor who starts a conversation with `text` and watches it. */
  const visitorAsks = async (text: string): Promise<{ client: ChatClient; room: Room; questionId: string }> => {
    const client = createClient({ url: server.url, app: tenant.id });
    clients.push(client);
    await client.connectGuest({ name: 'Vera Visitor' });
    const conversation = await client.support.start({ text });
    return { client, room: await client.room(conversation.id).watch(), questionId: conversation.message!.id };
  };
  const fromBot = (room: Room) => room.state.get().messages.filter((m) => m.senderId === botUser.id);
  const botTexts = (room: Room) => fromBot(room).map((m) => m.text);

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    await startBot();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await bot?.stop();
    await server?.close();
  });

  it('answers a visitor’s FAQ as a reply, as an agent, and leaves the conversation unassigned', async () => {
    expect(botUser).toMatchObject({ kind: 'member', role: 'agent', name: 'Acme FAQ bot', externalId: 'faq-bot' });
    const { room, questionId } = await visitorAsks('What are your opening hours?');
    await expect.poll(() => botTexts(room)).toEqual([answer('hours')]);
    expect(fromBot(room)[0]).toMatchObject({ replyToId: questionId, sender: { role: 'agent', name: 'Acme FAQ bot' } });
    expect(room.state.get().room?.support).toMatchObject({ status: 'open', assigneeId: null });
  });

  it('hands an unknown question to people once, and still answers FAQs after that', async () => {
    const { room, questionId } = await visitorAsks('My parcel arrived broken');
    await expect.poll(() => botTexts(room)).toEqual([DEFAULT_HANDOFF]);
    expect(fromBot(room)[0]?.replyToId).toBe(questionId);
    await room.send('Hello? Is anyone there?');
    await room.send('Also, how much does it cost?');
    await expect.poll(() => botTexts(room)).toEqual([DEFAULT_HANDOFF, answer('pricing')]);
    // The bot's answers only ever reply to the visitor's messages, never to its own.
    const visitorIds = room.state
      .get()
      .messages.filter((m) => m.sender?.role === 'user')
      .map((m) => m.id);
    for (const m of fromBot(room)) expect(visitorIds).toContain(m.replyToId);
  });

  it('answers what arrived while it was offline after reconnecting, and nothing twice', async () => {
    const { room } = await visitorAsks('Where are you located?');
    await expect.poll(() => botTexts(room)).toEqual([answer('contact')]);
    bot.client.disconnect();
    await room.send('What are your opening hours?');
    bot.client.reconnect();
    await expect.poll(() => botTexts(room)).toEqual([answer('contact'), answer('hours')]);
    // A later question is answered after the catch-up settled: still one answer per question.
    await room.send('Can I get my money back?');
    await expect.poll(() => botTexts(room)).toEqual([answer('contact'), answer('hours'), answer('refunds')]);
  });

  it('after a restart, answers only the questions that came meanwhile', async () => {
    const { room } = await visitorAsks('How much does it cost?');
    await expect.poll(() => botTexts(room)).toEqual([answer('pricing')]);
    await bot.stop();
    await room.send('When will my order be delivered?');
    await startBot();
    await expect.poll(() => botTexts(room)).toEqual([answer('pricing'), answer('shipping')]);
    await room.send('What are your opening hours?');
    await expect.poll(() => botTexts(room)).toEqual([answer('pricing'), answer('shipping'), answer('hours')]);
  });

  it('leaves a conversation to a colleague who wrote in it, and one a colleague claimed', async () => {
    const ana = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
    const written = await visitorAsks('I need help with an invoice');
    await expect.poll(() => botTexts(written.room)).toEqual([DEFAULT_HANDOFF]);
    const post = await server.request('POST', `/v1/rooms/${written.room.id}/messages`, {
      token: ana.accessToken,
      body: { clientId: 'ana-1', text: 'Hi, Ana here. Let me look.' },
    });
    expect(post.status).toBe(201);
    await expect.poll(() => logs.some((l) => l.conversationId === written.room.id && /colleague/.test(l.message))).toBe(true);
    await written.room.send('Thanks! What are your opening hours, by the way?');

    const claimed = await visitorAsks('Hello, question about my account');
    await expect.poll(() => botTexts(claimed.room)).toEqual([DEFAULT_HANDOFF]);
    expect(
      (await server.request('POST', `/v1/support/conversations/${claimed.room.id}/assign`, { token: ana.accessToken, body: {} })).status,
    ).toBe(200);
    await claimed.room.send('How much does it cost?');

    // Silence is what is tested: give the bot ample time to (wrongly) answer.
    await sleep(1500);
    expect(botTexts(written.room)).toEqual([DEFAULT_HANDOFF]);
    expect(botTexts(claimed.room)).toEqual([DEFAULT_HANDOFF]);
  });

  it('stays "away", so visitors see whether a person is online', async () => {
    const { client } = await visitorAsks('Hi');
    const settings = await client.support.settings();
    expect(settings.agents.find((a) => a.id === botUser.id)?.status).toBe('away');
    expect(settings.online).toBe(0);
    expect(settings.available).toBe(false);
  });

  it('logged no failures and no message text', () => {
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(JSON.stringify(logs)).not.toMatch(/opening hours|parcel|invoice/i);
  });
});

describe('FAQ bot signing in with a username and password', () => {
  let server: TestServer;
  let tenant: App;

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('works as an existing agent account', async () => {
    await User.query(server.db).insert({
      appId: tenant.id,
      kind: 'member',
      role: 'agent',
      username: 'helper-bot',
      name: 'Helper',
      passwordHash: await hashPassword('bot password 1'),
    });
    const bot = createBot({
      url: server.url,
      app: tenant.id,
      auth: { username: 'helper-bot', password: 'bot password 1' },
      logger: collectingLogger([]),
    });
    const user = await bot.start();
    const visitor = createClient({ url: server.url, app: tenant.id });
    await visitor.connectGuest({ name: 'Vic' });
    const conversation = await visitor.support.start({ text: 'How can I contact you?' });
    const room = await visitor.room(conversation.id).watch();
    await expect
      .poll(() =>
        room.state
          .get()
          .messages.filter((m) => m.senderId === user.id)
          .map((m) => m.text),
      )
      .toEqual([answer('contact')]);
    visitor.disconnect();
    await bot.stop();
  });

  it('refuses to start as a user who is not an agent, or with a wrong password', async () => {
    const register = await server.request('POST', '/v1/auth/register', {
      app: tenant.id,
      body: { username: 'plain-user', password: 'plain password 1', name: 'Plain' },
    });
    expect(register.status).toBe(201);
    const plain = createBot({
      url: server.url,
      app: tenant.id,
      auth: { username: 'plain-user', password: 'plain password 1' },
      logger: collectingLogger([]),
    });
    await expect(plain.start()).rejects.toMatchObject({ code: 'forbidden' });
    const wrong = createBot({
      url: server.url,
      app: tenant.id,
      auth: { username: 'helper-bot', password: 'nope' },
      logger: collectingLogger([]),
    });
    const error = await wrong.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unauthorized' });
  });
});
