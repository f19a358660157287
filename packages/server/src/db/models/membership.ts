import type { MembershipRole } from '@confab/protocol';

import { BaseModel } from './base.js';

export class Membership extends BaseModel {
  static override tableName = 'memberships';
  static override idColumn = ['room_id', 'user_id'];

  roomId!: string;
  userId!: string;
  role!: MembershipRole;
  joinedAt!: Date;
  deliveredSeq!: number;
  readSeq!: number;
  muted!: boolean;
  /** A moderator's mute: cannot write until then. */
  mutedUntil!: Date | null;
  /** Slow-mode rooms: when they last wrote. */
  lastPostedAt!: Date | null;
}
