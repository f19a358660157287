import type { RoomKind, SupportStatus, VisitorInfo } from '@confab/protocol';

import { BaseModel } from './base.js';

export class RoomRecord extends BaseModel {
  static override tableName = 'rooms';
  static override jsonAttributes = ['visitor'];

  id!: string;
  appId!: string;
  kind!: RoomKind;
  name!: string | null;
  slug!: string | null;
  directKey!: string | null;
  createdBy!: string | null;
  lastSeq!: number;
  version!: number;
  lastMessageAt!: Date | null;
  status!: SupportStatus | null;
  assigneeId!: string | null;
  visitor!: VisitorInfo;
  resolvedAt!: Date | null;
  /** Group and public rooms: seconds between one member's messages (0: off). */
  slowModeSeconds!: number;
  createdAt!: Date;
  updatedAt!: Date;
}
