import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';

import { LIMITS } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';

import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createRedisAdapter, type RedisAdapter } from '../redis/adapter.js';
import type { Presence } from '../redis/presence.js';
import { isStaff } from '../services/actor.js';
import type { Services } from '../services/index.js';
import { Drain, quitRedis } from '../shutdown.js';
import { registerHandlers } from './handlers.js';
import {
  allowRequest,
  authenticateSocket,
  endRevokedSessions,
  expireSockets,
  limitSocketsPerUser,
  refuseWhileDraining,
} from './handshake.js';
import { startOutageSync } from './outage-sync.js';
import { PresenceTracker } from './presence-tracker.js';
import { recoverFrom, startPublisher } from './publisher.js';
import { RoomSequencer } from './room-sequencer.js';
import { agentsChannel, appChannel, type ChatServer, type ChatSocket, sessionChannel, userChannel } from './types.js';

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
  /** The node's shutdown state: handlers in flight, and whether new connections are refused. */
  drain?: Drain;
}

// Clients told to reconnect spread their reconnections over this long, not all onto the others at once.
const RECONNECT_SPREAD_MS = 1_000;
// How long the sockets' farewell (`server:shutdown`, then the disconnect) may take to reach them.
const FAREWELL_MS = 1_000;

export interface Realtime {
  io: ChatServer;
  nodeId: string;
  /** Resolves once the cross-node connections are up (at once without Redis; never rejects). */
  ready(): Promise<void>;
  /**
   * Once the handlers in flight ended: flushes the last events (receipts, held room events,
   * cross-node publishes), tells every socket `server:shutdown` and disconnects it, stops timers.
   * Does not close the HTTP server.
   */
  close(): Promise<{ sockets: number }>;
}

/** Socket.IO on the HTTP server that serves Koa; across nodes through Redis when configured. */
export function createRealtime(options: RealtimeOptions): Realtime {
  const { http, services, config, logger, metrics, redis } = options;
  const drain = options.drain ?? new Drain();
  const nodeId = randomBytes(6).toString('hex');
  let adapter: RedisAdapter | null = null;
  if (redis) adapter = createRedisAdapter(redis, options.redisPrefix, logger);

  const checkOrigin = allowRequest(services, config);
  const io: ChatServer = new Server(http, {
    maxHttpBufferSize: LIMITS.socketPayloadBytesMax,
    // A draining node takes no new Engine.IO session (one may come on a kept-alive connection):
    // the client retries, through its load balancer, elsewhere.
    allowRequest: (req, callback) => (drain.draining ? callback('unavailable', false) : checkOrigin(req, callback)),
    // allowRequest already refused disallowed origins; reflect the ones that got through.
    cors: { origin: true, methods: ['GET', 'POST'] },
    serveClient: false,
    ...(adapter ? { adapter: adapter.adapter } : {}),
  });

  const presence = new PresenceTracker(io, options.presence, services, logger, nodeId, adapter !== null);
  presence.start(options.presenceIntervalMs);
  const sequencer = new RoomSequencer((e) => io.local.to(e.channels).emit(e.event, e.payload as never), undefined, {
    recover: recoverFrom(services),
    logger,
  });
  const stopPublisher = startPublisher(io, services, sequencer, adapter !== null, metrics, logger);
  const stopOutageSync = adapter ? startOutageSync({ io, adapter, services, sequencer, logger }) : () => undefined;

  const stopExpiry = expireSockets(io);
  const stopEndingRevoked = endRevokedSessions(io, services);

  io.use(refuseWhileDraining(() => drain.draining));
  io.use(authenticateSocket(services));
  io.use(limitSocketsPerUser(presence, LIMITS.socketsPerUserMax));
  // The same two listeners for every socket (`this` is the socket), and its event handlers bound at
  // its first event: an idle socket holds no closures of its own.
  const handlerContext = { services, presence, sequencer, logger, metrics, drain };
  function bindOnFirstEvent(this: ChatSocket): void {
    this.offAny(bindOnFirstEvent);
    registerHandlers(handlerContext, this);
  }
  function onDisconnect(this: ChatSocket, reason: string): void {
    metrics.socketConnections.dec();
    presence.disconnected(this);
    logger.debug({ sid: this.id, user: this.data.actor.id, reason }, 'socket disconnected');
  }
  io.on('connection', (socket) => {
    const { actor } = socket.data;
    metrics.socketConnections.inc();
    void socket.join([
      userChannel(actor.id),
      sessionChannel(actor.sessionId),
      appChannel(actor.appId),
      ...(isStaff(actor) ? [agentsChannel(actor.appId)] : []),
    ]);
    presence.connected(socket);
    socket.onAny(bindOnFirstEvent);
    socket.on('disconnect', onDisconnect);
    // Revoked after its handshake but before it joined its session channel: no broadcast reaches it.
    if (services.auth.revoked.isRevoked(actor.sessionId)) socket.disconnect(true);
  });

  return {
    io,
    nodeId,
    ready: () => adapter?.ready() ?? Promise.resolve(),
    close: async () => {
      // Last writes first: their events still go out, to this node's sockets and to the others.
      await services.receipts.close();
      sequencer.close();
      stopPublisher();
      stopOutageSync();
      stopExpiry();
      stopEndingRevoked();
      const sockets = [...io.of('/').sockets.values()];
      for (const socket of sockets) socket.emit('server:shutdown', { reconnectInMs: Math.floor(Math.random() * RECONNECT_SPREAD_MS) });
      io.local.disconnectSockets(true);
      // A polling client needs a request or two more to fetch its farewell.
      const farewellUntil = Date.now() + FAREWELL_MS;
      while (io.engine.clientsCount > 0 && Date.now() < farewellUntil) await new Promise((resolve) => setTimeout(resolve, 20));
      await presence.stop();
      await services.lastSeen.close();
      // Socket.IO's close would also close the HTTP server, which the app owns: unbind engine only.
      io.engine.close();
      // The adapter's last publishes must be answered by Redis before its connections are cut.
      const pub = (io.of('/').adapter as unknown as { pubClient?: Redis }).pubClient;
      try {
        if (pub) await quitRedis(pub);
      } finally {
        adapter?.close();
      }
      return { sockets: sockets.length };
    },
  };
}
