import { BaseModel } from './base.js';

export class Message extends BaseModel {
  static override tableName = 'messages';

  id!: string;
  roomId!: string;
  seq!: number;
  version!: number;
  createdVersion!: number;
  senderId!: string;
  clientId!: string | null;
  text!: string;
  replyToId!: string | null;
  createdAt!: Date;
  editedAt!: Date | null;
  deletedAt!: Date | null;
}
