import type { RoomReceiptsEvent } from '@confab/protocol';

import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Services } from '../services/index.js';
import { MinimaMemo } from '../services/messages/receipts.js';
import type { RecoverChanges, RoomEvent, RoomSequencer } from './room-sequencer.js';
import { agentsChannel, appChannel, type ChatServer, roomChannel, sessionChannel, userChannel } from './types.js';

const createdChannels = (roomId: string, notifyUserIds: string[]) => [roomChannel(roomId), ...notifyUserIds.map(userChannel)];

/**
 * The sequencer's way to fill a gap: the room's changes read from the database, addressed as
 * their announcements would have been.
 */
export function recoverFrom(services: Services): RecoverChanges {
  return async (roomId, fromVersion, toVersion) => {
    const read = await services.history.changesBetween(roomId, fromVersion, toVersion);
    if (!read) return { events: [], through: toVersion };
    const events = read.changes.map(({ event, version, message }): RoomEvent => ({
      roomId,
      version,
      event,
      payload: message,
      channels: event === 'message:created' ? createdChannels(roomId, read.notifyUserIds) : [roomChannel(roomId)],
    }));
    return { events, through: read.through };
  };
}

/**
 * The one place that decides who hears what: domain events (emitted after commit, by REST and
 * socket writes alike) → Socket.IO rooms. `room:<id>` holds the sockets watching a room,
 * `user:<id>` every socket of a person, `session:<id>` the sockets of one sign-in.
 *
 * Message events must reach every client in commit order, so they do not ride the adapter's
 * room broadcast: they go to every node (`clustered`), and each node's sequencer hands them to
 * its own sockets in version order. Everything else is broadcast through the adapter.
 */
export function startPublisher(
  io: ChatServer,
  services: Services,
  sequencer: RoomSequencer,
  clustered: boolean,
  metrics: Metrics,
  logger: Logger,
): () => void {
  const { events, rooms } = services;
  // Other nodes hear the message events of one turn of the event loop (a batch of sends) in one publish.
  let outgoing: RoomEvent[] = [];
  const publish = () => {
    const batch = outgoing;
    outgoing = [];
    io.serverSideEmit('room-events', batch);
  };
  const roomEvent = (event: RoomEvent) => {
    sequencer.push(event);
    if (!clustered) return;
    if (!outgoing.length) setImmediate(publish);
    outgoing.push(event);
  };
  io.on('room-events', (batch) => {
    for (const event of batch) sequencer.push(event);
  });
  // Receipts reach every node, and each tells its own watchers only minima they have not heard
  // yet: nodes that flush the same room at once cost its watchers one event, not one per node.
  const heard = new MinimaMemo();
  const tellWatchers = (receipts: RoomReceiptsEvent) => {
    if (heard.update(receipts.roomId, receipts) || receipts.members?.length)
      io.local.to(roomChannel(receipts.roomId)).emit('room:receipts', receipts);
  };
  io.on('room-receipts', tellWatchers);
  const safely =
    <T>(work: (payload: T) => Promise<void> | void) =>
    (payload: T) => {
      Promise.resolve()
        .then(() => work(payload))
        .catch((err: Error) => logger.error({ err }, 'publishing an event failed'));
    };

  const offs = [
    events.on('message.created', ({ roomId, version, message, notifyUserIds, replay }) => {
      const channels = createdChannels(roomId, notifyUserIds);
      // A replay (a retried send) announces a message counted when it was stored.
      if (replay) return roomEvent({ roomId, version, event: 'message:created', payload: message, channels, replay });
      metrics.messagesPersisted.inc();
      roomEvent({ roomId, version, event: 'message:created', payload: message, channels });
      metrics.fanoutLatency.observe(Math.max(0, Date.now() - Date.parse(message.createdAt)) / 1000);
    }),
    events.on('message.updated', ({ roomId, version, message }) =>
      roomEvent({ roomId, version, event: 'message:updated', payload: message, channels: [roomChannel(roomId)] }),
    ),
    events.on('message.deleted', ({ roomId, version, message }) =>
      roomEvent({ roomId, version, event: 'message:deleted', payload: message, channels: [roomChannel(roomId)] }),
    ),
    events.on('reaction.updated', ({ roomId, version, messageId, reactions }) =>
      roomEvent({
        roomId,
        version,
        event: 'reaction:updated',
        payload: { roomId, messageId, version, reactions },
        channels: [roomChannel(roomId)],
      }),
    ),
    // The reader's other devices; the room hears reads through its coalesced receipts.
    events.on('room.read', ({ roomId, userId, seq }) => io.to(userChannel(userId)).emit('room:read', { roomId, userId, seq })),
    events.on('room.receipts', (receipts) => {
      tellWatchers(receipts);
      if (clustered) io.serverSideEmit('room-receipts', receipts);
    }),
    events.on('message.throttled', () => metrics.throttled.inc({ kind: 'message' })),
    events.on(
      'room.created',
      safely(async ({ appId, room, memberIds }) => {
        if (room.kind !== 'direct') {
          const { membership: _viewer, ...shared } = room;
          io.to(memberIds.map(userChannel)).emit('room:created', shared);
          return;
        }
        // A direct room looks different from each side (its peer): one view per person.
        for (const userId of memberIds) {
          const view = await rooms.view(appId, room.id, userId);
          if (view) io.to(userChannel(userId)).emit('room:created', view);
        }
      }),
    ),
    events.on('room.updated', ({ room, memberIds }) =>
      io.to([roomChannel(room.id), ...memberIds.map(userChannel)]).emit('room:updated', room),
    ),
    events.on(
      'member.added',
      safely(async ({ appId, roomId, userIds }) => {
        const room = await rooms.view(appId, roomId, null);
        if (!room) return;
        io.to(userIds.map(userChannel)).emit('room:created', room);
        io.to(roomChannel(roomId)).emit('room:updated', room);
      }),
    ),
    events.on(
      'member.removed',
      safely(async ({ appId, roomId, userId }) => {
        io.in(userChannel(userId)).socketsLeave(roomChannel(roomId));
        const room = await rooms.view(appId, roomId, null);
        if (room) io.to([roomChannel(roomId), userChannel(userId)]).emit('room:updated', room);
      }),
    ),
    events.on(
      'support.changed',
      safely(async ({ appId, roomId, roomChanged }) => {
        const conversation = await services.support.view(appId, roomId, null);
        if (!conversation) return;
        const { membership: _viewer, ...shared } = conversation;
        io.to(agentsChannel(appId)).emit('support:conversation', shared);
        if (roomChanged) {
          const memberIds = await rooms.memberIds(roomId);
          // Labels are the team's own notes on the conversation: its visitor (a member) never sees them.
          const { labels: _labels, ...forMembers } = shared;
          io.to([roomChannel(roomId), ...memberIds.map(userChannel)]).emit('room:updated', forMembers);
        }
      }),
    ),
    events.on(
      'support.labels',
      safely(async ({ appId }) => {
        io.to(agentsChannel(appId)).emit('support:labels', { labels: await services.labels.of(appId) });
      }),
    ),
    // Notes go to the app's agents only: no room channel, so a visitor's socket never hears one.
    events.on(
      'note.created',
      safely(async ({ appId, note }) => {
        io.to(agentsChannel(appId)).emit('support:note', note);
        if (!note.mentions.length) return;
        const viewed = await services.support.view(appId, note.conversationId, null);
        if (!viewed) return;
        const { membership: _viewer, ...conversation } = viewed;
        io.to(note.mentions.map(userChannel)).emit('support:mention', { note, conversation });
      }),
    ),
    events.on('note.deleted', ({ appId, note }) => io.to(agentsChannel(appId)).emit('support:note', note)),
    events.on(
      'agents.changed',
      safely(async ({ appId }) => {
        io.to(appChannel(appId)).emit('support:availability', await services.availability.of(appId));
      }),
    ),
    events.on('moderation.recorded', ({ entry }) => {
      const to = [...(entry.roomId ? [roomChannel(entry.roomId)] : []), ...(entry.targetUserId ? [userChannel(entry.targetUserId)] : [])];
      if (to.length) io.to(to).emit('room:moderation', entry);
    }),
    events.on('room.pins', ({ roomId, pins }) => io.to(roomChannel(roomId)).emit('room:pins', { roomId, pins })),
    events.on('message.reported', ({ report, recipientIds }) => {
      if (recipientIds.length) io.to(recipientIds.map(userChannel)).emit('moderation:report', report);
    }),
    events.on('user.banned', ({ userId }) => io.in(userChannel(userId)).disconnectSockets(true)),
    events.on('user.erased', ({ userId, roomIds }) => {
      for (const roomId of roomIds) io.to(roomChannel(roomId)).emit('user:erased', { userId, roomId });
      io.in(userChannel(userId)).disconnectSockets(true);
    }),
    events.on('user.merged', ({ fromUserId }) => io.in(userChannel(fromUserId)).disconnectSockets(true)),
    events.on('session.ended', ({ sessionId }) => io.in(sessionChannel(sessionId)).disconnectSockets(true)),
  ];
  return () => {
    offs.forEach((off) => off());
    io.removeAllListeners('room-events');
    io.removeAllListeners('room-receipts');
  };
}
