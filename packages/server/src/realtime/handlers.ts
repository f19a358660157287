import type { PresenceEvent } from '@confab/protocol';

import { ForbiddenError } from '../errors.js';
import type { Services } from '../services/index.js';
import { bind, type BindContext } from './bind.js';
import type { PresenceTracker } from './presence-tracker.js';
import type { RoomSequencer } from './room-sequencer.js';
import { registerSafetyHandlers } from './safety-handlers.js';
import { type ChatSocket, roomChannel, sessionChannel } from './types.js';

export interface HandlerContext extends BindContext {
  services: Services;
  presence: PresenceTracker;
  sequencer: RoomSequencer;
}

function requireWatching(socket: ChatSocket, roomId: string): void {
  if (!socket.rooms.has(roomChannel(roomId))) throw new ForbiddenError('Join the room (room:join) first');
}

/** Every client→server event (server README, "Realtime"): each a few lines over the shared service layer. */
export function registerHandlers(ctx: HandlerContext, socket: ChatSocket): void {
  const { services } = ctx;
  const actor = () => socket.data.actor;
  // Pins and reports (realtime/safety-handlers.ts).
  registerSafetyHandlers(ctx, socket);

  bind(ctx, socket, 'room:join', async ({ roomId: id, since }) => {
    // The channel and the caches spell the id as the database does.
    const roomId = id.toLowerCase();
    // Listen first, then read: a change landing in between arrives twice (clients merge by id), never zero times.
    const joined = await services.history.join(actor(), roomId, since, () => socket.join(roomChannel(roomId)) ?? Promise.resolve());
    ctx.sequencer.prime(roomId, joined.version);
    const newest = joined.messages.reduce((max, m) => Math.max(max, m.seq), 0);
    if (newest) services.receipts.delivered(roomId, actor().id, newest);
    const [online, receipts] = await Promise.all([ctx.presence.online(joined.memberIds), services.receipts.summary(roomId)]);
    const presence: PresenceEvent[] = joined.memberIds.map((userId) => ({ userId, online: online.has(userId), lastSeenAt: null }));
    return { room: joined.room, messages: joined.messages, hasMore: joined.hasMore, presence, version: joined.version, receipts };
  });

  bind(ctx, socket, 'room:leave', async ({ roomId }) => {
    await socket.leave(roomChannel(roomId));
    return { roomId };
  });

  bind(ctx, socket, 'message:send', async ({ roomId, ...input }) => ({
    message: (await services.messages.send(actor(), roomId, input)).message,
  }));

  bind(ctx, socket, 'message:edit', async ({ messageId, text }) => ({
    message: await services.messages.edit(actor(), messageId, text),
  }));

  bind(ctx, socket, 'message:delete', async ({ messageId, reason }) => ({
    message: await services.messages.delete(actor(), messageId, reason),
  }));

  bind(ctx, socket, 'reaction:add', ({ messageId, emoji }) => services.messages.react(actor(), messageId, emoji, true));
  bind(ctx, socket, 'reaction:remove', ({ messageId, emoji }) => services.messages.react(actor(), messageId, emoji, false));

  bind(ctx, socket, 'typing', async ({ roomId, typing }) => {
    requireWatching(socket, roomId);
    socket.to(roomChannel(roomId)).emit('typing', { roomId, userId: actor().id, typing });
    return { ok: true as const };
  });

  bind(ctx, socket, 'room:read', async ({ roomId, seq }) => {
    const state = await services.receipts.markRead(actor(), roomId, seq);
    return { roomId, userId: state.userId, seq: state.seq };
  });

  bind(ctx, socket, 'room:delivered', async ({ roomId, seq }) => {
    requireWatching(socket, roomId);
    services.receipts.delivered(roomId, actor().id, seq);
    return { roomId, userId: actor().id, seq };
  });

  // Moderation (each as its REST twin, http/routes/moderation.ts).
  const { moderation, roomBans } = services;
  bind(ctx, socket, 'member:role', async ({ roomId, userId, role }) => ({
    member: await moderation.setRole(actor(), roomId, userId, role),
  }));
  bind(ctx, socket, 'moderation:mute', async ({ roomId, userId, durationSeconds, reason }) => ({
    member: await moderation.mute(actor(), roomId, userId, durationSeconds, reason),
  }));
  bind(ctx, socket, 'moderation:unmute', async ({ roomId, userId }) => ({ member: await moderation.unmute(actor(), roomId, userId) }));
  bind(ctx, socket, 'moderation:kick', async ({ roomId, userId, reason }) => {
    await moderation.kick(actor(), roomId, userId, reason);
    return { ok: true as const };
  });
  bind(ctx, socket, 'moderation:ban', async ({ roomId, userId, ...input }) => ({
    ban: await roomBans.ban(actor(), roomId, userId, input),
  }));
  bind(ctx, socket, 'moderation:unban', async ({ roomId, userId }) => {
    await roomBans.unban(actor(), roomId, userId);
    return { ok: true as const };
  });
  bind(ctx, socket, 'room:slow-mode', async ({ roomId, seconds }) => ({ room: await moderation.setSlowMode(actor(), roomId, seconds) }));

  bind(ctx, socket, 'auth:refresh', async ({ token }) => {
    const next = await services.auth.authenticate(token);
    if (next.id !== actor().id || next.appId !== actor().appId) throw new ForbiddenError('That token belongs to someone else');
    if (next.sessionId !== actor().sessionId) {
      // The socket now lives and dies with the new token's session (its logout must end it).
      await socket.leave(sessionChannel(actor().sessionId));
      await socket.join(sessionChannel(next.sessionId));
    }
    // The expiry sweep (handshake.ts) reads the new deadline from here.
    socket.data.actor = next;
    return { expiresAt: new Date(next.tokenExpiresAt).toISOString() };
  });
}
