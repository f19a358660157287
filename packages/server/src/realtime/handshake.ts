import type { IncomingMessage } from 'node:http';

import type { Config } from '../config.js';
import { AppError, isUnavailable, toAppError } from '../errors.js';
import { originAllowed } from '../services/apps/origins.js';
import type { Services } from '../services/index.js';
import type { PresenceTracker } from './presence-tracker.js';
import { type ChatServer, type ChatSocket, sessionChannel } from './types.js';

type CheckedRequest = IncomingMessage & { confabApp?: string };

function ownHost(req: IncomingMessage, config: Config): string | undefined {
  return config.publicUrl ? new URL(config.publicUrl).host : req.headers.host;
}

/**
 * Engine.IO `allowRequest`: a browser must come from an origin its app (`?app=` in the handshake
 * URL) allows, or from this server's own pages. A browser request with no Origin at all is refused
 * when its fetch metadata says it is cross-site; clients without either (Node) go on to the token check.
 */
export function allowRequest(services: Services, config: Config) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const origin = req.headers.origin;
    const app = new URL(req.url ?? '/', 'http://localhost').searchParams.get('app');
    const deny = () => callback('origin_not_allowed', false);
    if (origin === undefined) {
      const site = req.headers['sec-fetch-site'];
      return site && site !== 'same-origin' && site !== 'none' ? deny() : callback(null, true);
    }
    if (origin === 'null') return deny();
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return deny();
    }
    if (host === ownHost(req, config)) return callback(null, true);
    if (!app) return deny();
    services.apps.find(app).then(
      (found) => {
        if (!found || !originAllowed(found.allowedOrigins, origin)) return deny();
        (req as CheckedRequest).confabApp = found.id;
        callback(null, true);
      },
      // The app could not be read (database down): say so, so the refusal is not taken for a policy.
      (err: unknown) => (isUnavailable(err) ? callback('unavailable', false) : deny()),
    );
  };
}

/** The refusal a client sees as `connect_error`: `data.code` is the error code (`unavailable` while the database is down). */
function handshakeError(error: AppError): Error & { data: { code: string } } {
  return Object.assign(new Error(error.message), { data: { code: error.code } });
}

/** Socket.IO middleware: a valid access token (`auth: { token }`) of the app the origin was checked for. */
export function authenticateSocket(services: Services) {
  const authenticate = async (socket: ChatSocket): Promise<void> => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !token) throw new AppError('unauthorized', 'Pass the access token as auth: { token }');
    const actor = await services.auth.authenticate(token);
    const checkedApp = (socket.request as CheckedRequest).confabApp;
    const namedApp = socket.handshake.query.app ?? (socket.handshake.auth as { app?: unknown }).app;
    if ((checkedApp && checkedApp !== actor.appId) || (typeof namedApp === 'string' && namedApp !== actor.appId)) {
      throw new AppError('forbidden', 'This token belongs to another app');
    }
    socket.data.actor = actor;
  };
  return (socket: ChatSocket, next: (err?: Error) => void): void => {
    authenticate(socket).then(
      () => next(),
      (err: unknown) => next(handshakeError(toAppError(err))),
    );
  };
}

/** Socket.IO middleware, first: a node that is shutting down refuses (retryably) so the client connects elsewhere. */
export function refuseWhileDraining(draining: () => boolean) {
  return (_socket: ChatSocket, next: (err?: Error) => void): void =>
    next(draining() ? handshakeError(new AppError('unavailable', 'This server is shutting down; connect again')) : undefined);
}

/** Socket.IO middleware after `authenticateSocket`: at most `max` sockets per user, all nodes together. */
export function limitSocketsPerUser(presence: PresenceTracker, max: number) {
  const admit = async (socket: ChatSocket): Promise<void> => {
    if (!(await presence.admit(socket, max))) {
      throw new AppError('rate_limited', `This user already has ${max} open connections; close one (a tab or a device) first`);
    }
  };
  return (socket: ChatSocket, next: (err?: Error) => void): void => {
    admit(socket).then(
      () => next(),
      (err: unknown) => next(handshakeError(toAppError(err))),
    );
  };
}

/** How often the node looks for sockets whose access token expired (one timer for all of them). */
const EXPIRY_SWEEP_MS = 1_000;

/**
 * Disconnects each socket once its access token expired, unless `auth:refresh` moved the deadline
 * (it replaces `socket.data.actor`). Returns the stop.
 */
export function expireSockets(io: ChatServer, everyMs = EXPIRY_SWEEP_MS): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.actor.tokenExpiresAt > now) continue;
      socket.emit('auth:expired', { code: 'token_expired', message: 'The access token expired; reconnect with a fresh one' });
      socket.disconnect(true);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Ends this node's sockets of sessions it learns are revoked (from any node), including one whose
 * handshake passed just before the news came and which joined its session channel after the
 * `session.ended` broadcast went by. Returns the unsubscribe.
 */
export function endRevokedSessions(io: ChatServer, services: Services): () => void {
  return services.auth.revoked.onRevoked((sessionIds) => io.local.in(sessionIds.map(sessionChannel)).disconnectSockets(true));
}
