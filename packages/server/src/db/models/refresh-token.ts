import { BaseModel } from './base.js';

export class RefreshToken extends BaseModel {
  static override tableName = 'refresh_tokens';

  id!: string;
  userId!: string;
  familyId!: string;
  tokenHash!: string;
  createdAt!: Date;
  expiresAt!: Date;
  revokedAt!: Date | null;
  replacedBy!: string | null;
}
