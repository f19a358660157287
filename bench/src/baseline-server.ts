// The baseline: a bare Socket.IO broadcast server. Same transport, same payload shape as Confab's
// `message:created` and the same ack shapes (`room:join`, `room:leave`, `message:send`), but no
// auth, no validation and no persistence, so it is the ceiling a chat server on Socket.IO can
// approach. With REDIS_URL set it uses the Redis adapter, like Confab nodes do, for the two-node scenario.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

interface SendInput {
  roomId: string;
  clientId: string;
  text: string;
}
type Ack = (response: { data?: unknown; error?: { code: string; message: string } }) => void;

const http = createServer();
const io = new Server(http, { serveClient: false, cors: { origin: '*' } });
const seqs = new Map<string, number>();

if (process.env.REDIS_URL) {
  const pub = new Redis(process.env.REDIS_URL);
  io.adapter(createAdapter(pub, pub.duplicate(), { key: `bench-baseline-${process.env.BASELINE_CLUSTER ?? 'default'}` }));
}

io.on('connection', (socket) => {
  const userId = randomUUID();
  socket.on('room:join', (input: { roomId: string }, ack: Ack) => {
    void socket.join(input.roomId);
    ack({ data: { messages: [], hasMore: false } });
  });
  socket.on('room:leave', (input: { roomId: string }, ack: Ack) => {
    void socket.leave(input.roomId);
    ack({ data: { roomId: input.roomId } });
  });
  socket.on('message:send', (input: SendInput, ack: Ack) => {
    const seq = (seqs.get(input.roomId) ?? 0) + 1;
    seqs.set(input.roomId, seq);
    const now = new Date().toISOString();
    const message = {
      id: randomUUID(),
      roomId: input.roomId,
      seq,
      version: seq,
      clientId: input.clientId,
      senderId: userId,
      sender: { id: userId, kind: 'member', role: 'user', name: 'Bench user', username: null, avatarUrl: null },
      type: 'text',
      text: input.text,
      replyToId: null,
      attachments: [],
      reactions: [],
      createdAt: now,
      editedAt: null,
      deletedAt: null,
    };
    io.to(input.roomId).emit('message:created', message);
    ack({ data: { message } });
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`Baseline listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  // Only the sockets' goodbyes (sent before close() first awaits) matter: the process exits at once.
  void io.close();
  process.exit(0);
});
