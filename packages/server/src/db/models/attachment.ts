import { BaseModel } from './base.js';

export class Attachment extends BaseModel {
  static override tableName = 'attachments';

  id!: string;
  appId!: string;
  uploaderId!: string;
  messageId!: string | null;
  filename!: string;
  mime!: string;
  size!: number;
  storageKey!: string;
  width!: number | null;
  height!: number | null;
  /** Images: the storage key of the thumbnail, its type and size. */
  thumbKey!: string | null;
  thumbMime!: string | null;
  thumbWidth!: number | null;
  thumbHeight!: number | null;
  createdAt!: Date;
}
