import { BaseModel } from './base.js';

export class CannedResponse extends BaseModel {
  static override tableName = 'canned_responses';

  id!: string;
  appId!: string;
  shortcut!: string;
  text!: string;
  createdBy!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
