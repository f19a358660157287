// A consumer's code, compiled against the published .d.ts files (see types.test.ts); never run.
import {
  type ChatClient,
  ChatError,
  type ChatMessage,
  type ConnectionStatus,
  createClient,
  type ErrorCode,
  type MessageDto,
  type MessageStatus,
  type ReadableStore,
  type Room,
  type RoomState,
  type TokenProvider,
  type UserDto,
} from '@confab/sdk';

declare function render(messages: readonly ChatMessage[]): void;
declare function showBadge(count: number): void;
declare function showBanner(text: string): void;
declare function saveSession(json: string): void;

const fetchTokenFromMyBackend: TokenProvider = async () => {
  const res = await fetch('/chat-token', { credentials: 'include' });
  return res.text();
};

export async function visitor(roomId: string): Promise<void> {
  const client: ChatClient = createClient({ url: 'https://chat.example.com', app: 'APP_ID' });
  const me: UserDto = await client.connectGuest({ name: 'Ana' });
  console.log(me.kind, client.user?.id, client.status);

  const room: Room = await client.room(roomId).watch();
  const state: ReadableStore<RoomState> = room.state;
  const unsubscribe: () => void = state.subscribe((s, previous) => {
    if (s.messages !== previous.messages) render(s.messages);
  });
  const offUnread = state.select(
    (s) => s.unreadCount,
    (count, before) => showBadge(count - before),
  );
  const offTyping = state.select(
    (s) => s.typing,
    (typing) => showBanner(typing.length ? `${typing.length} typing…` : ''),
    (a, b) => a.join() === b.join(),
  );
  const snapshot = state.get();
  const statuses: MessageStatus[] = snapshot.messages.map((m) => m.status);
  const failed = snapshot.messages.filter((m) => m.status === 'failed');
  for (const m of failed) {
    const code: ErrorCode | undefined = m.error?.code;
    console.log(code);
    if (m.retry) await m.retry();
  }
  console.log(statuses, snapshot.hasOlder, snapshot.watching, snapshot.room?.name, snapshot.receipts['u']?.readSeq);
  console.log(snapshot.presence['u']?.online, room.unreadCount);

  const off: () => void = room.on('message:created', (m) => console.log(m.seq, m.text, m.sender?.name));
  room.on('typing', (e) => console.log(e.userId, e.typing));
  room.on('reaction:updated', (e) => console.log(e.messageId, e.reactions[0]?.emoji));
  room.on('room:read', (e) => console.log(e.userId, e.seq));

  const stored: MessageDto = await room.send('Olá!');
  await room.send('with a file', { attachments: ['upload-id'], replyTo: stored.id });
  const older: number = await room.loadOlder();
  await room.loadOlder(20);
  console.log(older);
  room.typing();
  await room.markRead();
  const reaction = await room.react(stored.id, '👍');
  console.log(reaction.reactions.map((r) => `${r.emoji}×${r.count}`));
  await room.unreact(stored.id, '👍');
  await room.edit(stored.id, 'Olá de novo!');
  await room.delete(stored.id);
  const members = await room.members();
  console.log(members.map((m) => m.user.name));
  const receipts = await room.receipts();
  console.log(receipts['u']?.deliveredSeq);

  off();
  unsubscribe();
  offUnread();
  offTyping();
  await room.unwatch();
  await client.logout();
}

export async function appUser(otherUserId: string): Promise<void> {
  const client = createClient({ url: 'https://chat.example.com', app: 'APP_ID', transports: ['websocket'] });
  const offStatus = client.on('connection:changed', (status: ConnectionStatus) => {
    if (status === 'unauthorized') showBanner('Please sign in again');
  });
  client.on('session:changed', (session) => {
    if (session) saveSession(JSON.stringify(session));
  });
  client.on('message:created', (m) => m.seq);
  client.on('room:created', (room) => console.log(room.kind, room.lastSeq));
  client.on('presence', (p) => console.log(p.userId, p.online, p.lastSeenAt));

  await client.connectUser(() => fetchTokenFromMyBackend());
  await client.connectUser('host-signed.jwt.token');

  const page = await client.rooms.list({ limit: 20 });
  for (const item of page.items) console.log(item.name, item.unreadCount, item.lastMessage?.text);
  const group = await client.rooms.create({ name: 'Team', kind: 'group', memberIds: [otherUserId] });
  const joined: Room = await client.rooms.join(group.id);
  const direct: Room = await client.directRoom(otherUserId);
  console.log(joined.id, direct.id, page.hasMore, page.nextCursor);

  const found = await client.users.search('ana', { limit: 5 });
  const profile = await client.users.me();
  await client.users.update({ name: 'Ana', metadata: { plan: 'pro' } });
  console.log(
    found.items.map((u) => u.name),
    profile.role,
    client.rawSocket?.connected,
  );

  try {
    await direct.send('hi');
  } catch (e) {
    if (e instanceof ChatError) {
      const code: ErrorCode = e.code;
      const status: number = e.status;
      const retryable: boolean = e.retryable;
      console.log(code, status, retryable, e.details, e.message);
      switch (e.code) {
        case 'rate_limited':
        case 'unauthorized':
          break;
        // @ts-expect-error not an error code of the protocol
        case 'teapot':
          break;
      }
    }
  }

  client.disconnect();
  client.reconnect();
  offStatus();
  await client.login({ username: 'ana', password: 'secret' });
  await client.register({ username: 'bob', password: 'secret', name: 'Bob' });
}

export function misuse(client: ChatClient, room: Room): void {
  // @ts-expect-error not a client event
  client.on('message:sent', () => undefined);
  // @ts-expect-error a message:created listener receives a MessageDto, not a string
  client.on('message:created', (m: string) => m);
  // @ts-expect-error connection:changed is a client event, not a room event
  room.on('connection:changed', () => undefined);
  // @ts-expect-error connection statuses are a closed union
  client.on('connection:changed', (s) => s === 'asleep');
  // @ts-expect-error send takes the text
  void room.send(123);
  // @ts-expect-error attachments are ids (strings)
  void room.send('hi', { attachments: [1] });
  // @ts-expect-error the state is immutable
  room.state.get().messages.push(room.state.get().messages[0]);
  // @ts-expect-error the room store is read-only for consumers
  room.state.set(room.state.get());
  // @ts-expect-error createClient needs the app
  createClient({ url: 'https://chat.example.com' });
  // @ts-expect-error a ChatError code is a protocol ErrorCode
  new ChatError('teapot', 'no');
  // @ts-expect-error user is a getter
  client.user = null;
}
