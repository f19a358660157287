import type { MessageType, SystemEventDto } from '@confab/protocol';

import { BaseModel } from './base.js';

export class Message extends BaseModel {
  static override tableName = 'messages';
  static override jsonAttributes = ['meta'];

  id!: string;
  roomId!: string;
  seq!: number;
  version!: number;
  createdVersion!: number;
  /** Null for automatic messages (the away reply). */
  senderId!: string | null;
  type!: MessageType;
  meta!: SystemEventDto | null;
  clientId!: string | null;
  text!: string;
  replyToId!: string | null;
  createdAt!: Date;
  editedAt!: Date | null;
  deletedAt!: Date | null;
}
