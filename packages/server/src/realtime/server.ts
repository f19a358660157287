import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { LIMITS } from '@confab/protocol';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createRedisAdapter, type RedisAdapter } from '../redis/adapter.js';
import type { Presence } from '../redis/presence.js';
import { isStaff } from '../services/actor.js';
import type { Services } from '../services/index.js';
import { registerHandlers } from './handlers.js';
import { allowRequest, authenticateSocket, limitSocketsPerUser, scheduleExpiry } from './handshake.js';
import { PresenceTracker } from './presence-tracker.js';
import { startPublisher } from './publisher.js';
import { RoomSequencer } from './room-sequencer.js';
import { agentsChannel, appChannel, type ChatServer, sessionChannel, userChannel } from './types.js';

export interface RealtimeOptions {
  http: HttpServer;
  services: Services;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis | null;
  redisPrefix: string;
  presence: Presence;
  /** How often this node refreshes its connections in presence and sweeps dead nodes' ones. */
  presenceIntervalMs: number;
}

export interface Realtime {
  io: ChatServer;
  nodeId: string;
  /** Resolves once the cross-node connections are up (at once without Redis; never rejects). */
  ready(): Promise<void>;
  /** Disconnects every socket and stops timers; does not close the HTTP server. */
  close(): Promise<void>;
}

/** Socket.IO on the HTTP server that serves Koa; across nodes through Redis when configured. */
export function createRealtime(options: RealtimeOptions): Realtime {
  const { http, services, config, logger, metrics, redis } = options;
  const nodeId = randomBytes(6).toString('hex');
  let adapter: RedisAdapter | null = null;
  if (redis) adapter = createRedisAdapter(redis, options.redisPrefix, logger);

  const io: ChatServer = new Server(http, {
    maxHttpBufferSize: LIMITS.socketPayloadBytesMax,
    allowRequest: allowRequest(services, config),
    // allowRequest already refused disallowed origins; reflect the ones that got through.
    cors: { origin: true, methods: ['GET', 'POST'] },
    serveClient: false,
    ...(adapter ? { adapter: adapter.adapter } : {}),
  });

  const presence = new PresenceTracker(io, options.presence, services, logger);
  presence.start(options.presenceIntervalMs);
  const sequencer = new RoomSequencer((e) => io.local.to(e.channels).emit(e.event, e.payload as never));
  const stopPublisher = startPublisher(io, services, sequencer, adapter !== null, metrics, logger);

  io.use(authenticateSocket(services, nodeId));
  io.use(limitSocketsPerUser(presence, LIMITS.socketsPerUserMax));
  io.on('connection', (socket) => {
    const { actor } = socket.data;
    metrics.socketConnections.inc();
    void socket.join([
      userChannel(actor.id),
      sessionChannel(actor.sessionId),
      appChannel(actor.appId),
      ...(isStaff(actor) ? [agentsChannel(actor.appId)] : []),
    ]);
    scheduleExpiry(socket);
    presence.connected(socket);
    registerHandlers({ services, presence, sequencer, logger, metrics }, socket);
    socket.on('disconnect', (reason) => {
      metrics.socketConnections.dec();
      if (socket.data.expiryTimer) clearTimeout(socket.data.expiryTimer);
      presence.disconnected(socket);
      logger.debug({ sid: socket.id, user: actor.id, reason }, 'socket disconnected');
    });
  });

  return {
    io,
    nodeId,
    ready: () => adapter?.ready() ?? Promise.resolve(),
    close: async () => {
      stopPublisher();
      sequencer.close();
      io.local.disconnectSockets(true);
      await presence.stop();
      await services.receipts.close();
      // Socket.IO's close would also close the HTTP server, which the app owns: unbind engine only.
      io.engine.close();
      adapter?.close();
    },
  };
}
