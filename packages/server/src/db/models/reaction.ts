import { BaseModel } from './base.js';

export class Reaction extends BaseModel {
  static override tableName = 'reactions';
  static override idColumn = ['message_id', 'user_id', 'emoji'];

  messageId!: string;
  userId!: string;
  emoji!: string;
  createdAt!: Date;
}
