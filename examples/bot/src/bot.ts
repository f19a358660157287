import {
  type AgentAvailability,
  type ChatClient,
  ChatError,
  type ChatMessage,
  createClient,
  type Room,
  type SupportConversationDto,
  type UserDto,
  type UserSummaryDto,
} from '@confab/sdk';

import { signAgentToken } from './agent-token.js';
import { DEFAULT_FAQS, type Faq, matchFaq } from './faq.js';

/** Sign in with a token the bot signs itself with the app secret, or as an existing agent account. */
export type BotAuth = { secret: string; id?: string; name?: string } | { username: string; password: string };

export interface BotLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface BotOptions {
  /** The Confab server, e.g. `http://localhost:3000`. */
  url: string;
  app: string;
  auth: BotAuth;
  faqs?: readonly Faq[];
  /** Said once per conversation when no FAQ fits; null to stay silent. */
  handoff?: string | null;
  /**
   * The bot's own availability. `away` (the default) keeps it out of "agents online", so visitors
   * see whether a person is there and get the away message when nobody is. Null: leave it as is.
   */
  availability?: AgentAvailability | null;
  /** Open, unassigned conversations looked at on start and after each reconnect. */
  catchUpLimit?: number;
  logger?: BotLogger;
}

export interface Bot {
  /** Signs in, starts listening and answers what is waiting; resolves with the bot's user. */
  start(): Promise<UserDto>;
  /** Stops listening and ends the bot's session. */
  stop(): Promise<void>;
  readonly client: ChatClient;
}

export const DEFAULT_HANDOFF =
  "Thanks for your message! I'm the automatic assistant and can't answer that one, " +
  'so someone from our team will reply here as soon as possible.';

interface Followed {
  room: Room;
  off: () => void;
  /** Messages up to this seq were looked at (null until the first look). */
  cursor: number | null;
  handoffSent: boolean;
  queue: Promise<void>;
}

const isStaff = (user: UserSummaryDto | null) => user?.role === 'agent' || user?.role === 'admin';
const stored = (m: ChatMessage) => m.status !== 'pending' && m.status !== 'failed';

/**
 * A support bot: follows open, unassigned conversations, answers visitors' questions that match
 * an FAQ (as a reply to the question), says once that a person will follow when none does, and
 * never claims a conversation. Once a person has written in a conversation or claimed it, the
 * bot leaves it to them.
 *
 * @example
 * const bot = createBot({ url: 'http://localhost:3000', app: 'APP_ID', auth: { secret: process.env.CONFAB_APP_SECRET! } });
 * await bot.start();
 */
export function createBot(options: BotOptions): Bot {
  const client = createClient({ url: options.url, app: options.app });
  const faqs = options.faqs ?? DEFAULT_FAQS;
  const handoff = options.handoff === undefined ? DEFAULT_HANDOFF : options.handoff;
  const log = options.logger ?? consoleLogger;
  const followed = new Map<string, Followed>();
  // Conversations a person has taken: not looked at again while this process runs.
  const handedOver = new Set<string>();
  const offs: (() => void)[] = [];
  let me: UserDto | null = null;
  let stopped = false;
  let wasOnline = false;
  let retry: { timer: ReturnType<typeof setTimeout> | null; delayMs: number } = { timer: null, delayMs: 1000 };

  const problem = (what: string, err: unknown, data: Record<string, unknown> = {}) => {
    const e = err instanceof ChatError ? { code: err.code, status: err.status } : { error: String(err) };
    log.warn(what, { ...data, ...e, message: (err as Error)?.message });
  };

  const signIn = (): Promise<UserDto> => {
    const { auth } = options;
    if ('secret' in auth) {
      const identity = { id: auth.id ?? 'faq-bot', name: auth.name ?? 'FAQ bot' };
      return client.connectUser(async () => signAgentToken({ id: options.app, secret: auth.secret }, identity));
    }
    return client.login({ username: auth.username, password: auth.password });
  };

  // The SDK renews sessions by itself; this is for when that failed (account or secret changed).
  const signInAgainLater = () => {
    if (stopped || retry.timer) return;
    retry.timer = setTimeout(() => {
      retry.timer = null;
      signIn().then(
        () => (retry.delayMs = 1000),
        (err) => {
          problem('sign-in failed; retrying', err, { inMs: retry.delayMs });
          retry.delayMs = Math.min(retry.delayMs * 2, 60_000);
          signInAgainLater();
        },
      );
    }, retry.delayMs);
  };

  const unfollow = (id: string) => {
    const entry = followed.get(id);
    if (!entry) return;
    followed.delete(id);
    entry.off();
    entry.room.unwatch().catch(() => undefined);
  };

  const reply = async (id: string, entry: Followed, question: ChatMessage, text: string, kind: string) => {
    try {
      await entry.room.send(text, { replyTo: question.id });
      log.info('answered', { conversationId: id, messageId: question.id, kind });
    } catch (err) {
      problem('could not answer', err, { conversationId: id });
      if (err instanceof ChatError && (err.code === 'forbidden' || err.code === 'not_found')) unfollow(id);
    }
  };

  /** Looks at the messages not seen yet, in order; runs one at a time per conversation. */
  const review = async (id: string, entry: Followed) => {
    const { room, messages } = entry.room.state.get();
    if (!room || followed.get(id) !== entry || !me) return;
    const self = me.id;
    const known = messages.filter(stored);
    if (known.some((m) => m.type === 'text' && m.senderId !== self && isStaff(m.sender))) {
      log.info('a colleague answered; leaving the conversation to them', { conversationId: id });
      handedOver.add(id);
      unfollow(id);
      return;
    }
    if (entry.cursor === null) {
      // First look (start, restart, or a conversation that came back): whatever came before the
      // bot's last word was dealt with then.
      entry.cursor = Math.max(0, ...known.filter((m) => m.senderId === self && m.type === 'text').map((m) => m.seq));
      entry.handoffSent = known.some((m) => m.senderId === self && m.text === handoff);
    }
    let looked = false;
    for (const m of known) {
      if (m.seq <= entry.cursor) continue;
      entry.cursor = m.seq;
      looked = true;
      const fromVisitor = m.type === 'text' && !m.deletedAt && m.sender !== null && m.senderId !== self && !isStaff(m.sender);
      if (!fromVisitor || followed.get(id) !== entry) continue;
      if (known.some((r) => r.senderId === self && r.replyToId === m.id)) continue;
      const faq = matchFaq(m.text, faqs);
      if (faq) await reply(id, entry, m, faq.answer, `faq:${faq.id}`);
      else if (handoff && !entry.handoffSent) {
        entry.handoffSent = true;
        await reply(id, entry, m, handoff, 'handoff');
      }
    }
    if (looked) await entry.room.markRead().catch(() => undefined);
  };

  const follow = (id: string) => {
    if (followed.has(id) || handedOver.has(id)) return;
    const room = client.room(id);
    const entry: Followed = { room, off: () => undefined, cursor: null, handoffSent: false, queue: Promise.resolve() };
    followed.set(id, entry);
    // Every change of the message list: live messages, the first page, the catch-up after a reconnect.
    entry.off = room.state.select(
      (s) => s.messages,
      () => {
        entry.queue = entry.queue.then(() => review(id, entry)).catch((err) => problem('review failed', err, { conversationId: id }));
      },
    );
    room.watch().catch((err) => {
      problem('could not open the conversation', err, { conversationId: id });
      unfollow(id);
    });
  };

  const consider = (c: SupportConversationDto) => {
    if (stopped || !me) return;
    const takenByPerson = c.support.assigneeId !== null && c.support.assigneeId !== me.id;
    if (c.support.status === 'resolved' || takenByPerson) {
      unfollow(c.id);
      return;
    }
    // Skip conversations where an agent (or the bot) had the last word, until the visitor writes.
    if (c.lastMessage && isStaff(c.lastMessage.sender) && !followed.has(c.id)) return;
    follow(c.id);
  };

  const catchUp = async () => {
    const limit = options.catchUpLimit ?? 200;
    let cursor: string | undefined;
    let seen = 0;
    try {
      do {
        const page = await client.support.inbox({ status: 'open', assignee: 'none', limit: Math.min(50, limit - seen), cursor });
        page.items.forEach(consider);
        seen += page.items.length;
        cursor = page.hasMore ? page.nextCursor : undefined;
      } while (cursor && seen < limit);
    } catch (err) {
      problem('could not list the open conversations', err);
    }
  };

  async function halt(): Promise<void> {
    stopped = true;
    if (retry.timer) clearTimeout(retry.timer);
    retry = { timer: null, delayMs: 1000 };
    offs.splice(0).forEach((off) => off());
    for (const entry of followed.values()) entry.off();
    followed.clear();
    me = null;
    wasOnline = false;
    await client.logout();
  }

  return {
    client,

    async start() {
      if (me) throw new Error('The bot is already started');
      stopped = false;
      const online = new Promise<void>((resolve, reject) => {
        const off = client.on('connection:changed', (status) => {
          if (status === 'online') resolve();
          else if (status === 'unauthorized') reject(new ChatError('unauthorized', 'The bot was signed out while connecting', 401));
          else return;
          off();
        });
      });
      online.catch(() => undefined); // awaited below only when the sign-in worked
      offs.push(
        client.on('support:conversation', consider),
        client.on('connection:changed', (status) => {
          // Conversations started while the bot was offline never reached it as events.
          if (status === 'online' && wasOnline && me) void catchUp();
          if (status === 'online') wasOnline = true;
          if (status === 'unauthorized') signInAgainLater();
        }),
      );
      try {
        const user = await signIn();
        if (user.role !== 'agent' && user.role !== 'admin') {
          throw new ChatError('forbidden', `The bot signed in as ${user.username ?? user.id}, who is not an agent`, 403);
        }
        await online;
        me = user;
      } catch (err) {
        await halt();
        throw err;
      }
      if (options.availability !== null) {
        await client.support.setAvailability(options.availability ?? 'away').catch((err) => problem('could not set availability', err));
      }
      await catchUp();
      log.info('bot started', { userId: me.id, following: followed.size });
      return me;
    },

    stop: halt,
  };
}

const consoleLogger: BotLogger = {
  info: (message, data) => console.log(JSON.stringify({ level: 'info', message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: 'warn', message, ...data })),
};
