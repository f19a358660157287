import type { AssignableRoomRole, BanInput, KickInput, MuteInput, PageQuery, PinDto, ReportInput, RoomDto } from '@confab/protocol';

import type { RoomAction, RoomModel } from './room-model.js';
import type { HttpTransport } from './transport/http.js';

/** What a room's moderation calls need of the room. */
export interface ModeratedRoom {
  readonly id: string;
  model(): RoomModel;
  apply(action: RoomAction): void;
}

/**
 * Moderating a group or public room: its owners and moderators, and the app's admins and agents
 * (everyone else gets `forbidden`). Every action is announced live (`room:moderation`) and kept
 * in the room's audit log. Get it as `room.moderation`.
 *
 * @example
 * await room.moderation.mute(userId, { durationSeconds: 3600, reason: 'Flooding' });
 * await room.moderation.pin(message.id);
 */
export function createRoomModeration(room: ModeratedRoom, http: HttpTransport) {
  const member = (userId: string) => ({ id: room.id, userId });
  const pinned = (pins: readonly PinDto[]) => room.apply({ type: 'pins', pins });
  return {
    /**
     * Owners make a member a moderator, or a moderator a member again; resolves with the member.
     * @example await room.moderation.setRole(userId, 'moderator');
     */
    setRole: (userId: string, role: AssignableRoomRole) =>
      http.call('PUT /v1/rooms/:id/members/:userId/role', { params: member(userId), body: { role } }),
    /**
     * They read, but cannot write (their sends are refused with `forbidden`, `details.mutedUntil`)
     * for `durationSeconds` (60 s … 30 days); muting again replaces the end.
     * @example await room.moderation.mute(userId, { durationSeconds: 24 * 3600 });
     */
    mute: (userId: string, input: MuteInput) =>
      http.call('PUT /v1/rooms/:id/members/:userId/mute', { params: member(userId), body: input }),
    unmute: (userId: string) => http.call('DELETE /v1/rooms/:id/members/:userId/mute', { params: member(userId) }),
    /** Removes them from the room (they may join a public room again). */
    kick: (userId: string, input: KickInput = {}) =>
      http.call('POST /v1/rooms/:id/members/:userId/kick', { params: member(userId), body: input }),
    /**
     * Removes them and keeps them out: for `durationSeconds`, or until `unban` when left out.
     * @example await room.moderation.ban(userId, { reason: 'Spam' });
     */
    ban: (userId: string, input: BanInput = {}) => http.call('PUT /v1/rooms/:id/bans/:userId', { params: member(userId), body: input }),
    unban: (userId: string) => http.call('DELETE /v1/rooms/:id/bans/:userId', { params: member(userId) }),
    /** The people banned from the room, page by page. */
    bans: (page: PageQuery = {}) => http.call('GET /v1/rooms/:id/bans', { params: { id: room.id }, query: page }),
    /**
     * One message per `seconds` per member (moderators never wait); 0 turns it off. The room held
     * takes the new setting at once.
     * @example await room.moderation.setSlowMode(30);
     */
    setSlowMode: async (seconds: number): Promise<RoomDto> => {
      const dto = await http.call('PUT /v1/rooms/:id/slow-mode', { params: { id: room.id }, body: { seconds } });
      room.apply({ type: 'room', room: dto });
      return dto;
    },
    /** Pins a message (`state.pins` shows it at once; `room:pins` tells everyone). */
    pin: async (messageId: string): Promise<PinDto> => {
      const pin = await http.call('PUT /v1/rooms/:id/pins/:messageId', { params: { id: room.id, messageId } });
      pinned([pin, ...room.model().pins.filter((p) => p.message.id !== messageId)]);
      return pin;
    },
    unpin: async (messageId: string): Promise<void> => {
      await http.call('DELETE /v1/rooms/:id/pins/:messageId', { params: { id: room.id, messageId } });
      pinned(room.model().pins.filter((p) => p.message.id !== messageId));
    },
    /**
     * The room's audit log, newest first: who did what, to whom, when and why.
     * @example const { items } = await room.moderation.moderationLog({ limit: 20 });
     */
    moderationLog: (page: PageQuery = {}) => http.call('GET /v1/rooms/:id/moderation-log', { params: { id: room.id }, query: page }),
    /**
     * Any member: reports a message of the room to its moderators (as `client.messages.report`).
     * @example await room.moderation.report(message.id, { reason: 'abuse' });
     */
    report: (messageId: string, input: ReportInput) =>
      http.call('POST /v1/messages/:id/reports', { params: { id: messageId }, body: input }),
    /** Messages of the room that members reported, newest first. */
    reports: (page: PageQuery = {}) => http.call('GET /v1/rooms/:id/reports', { params: { id: room.id }, query: page }),
  };
}

export type RoomModerationApi = ReturnType<typeof createRoomModeration>;
