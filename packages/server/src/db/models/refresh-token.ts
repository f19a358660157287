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
  replacedAt!: Date | null;
  /** The successor's token, sealed with a key derived from this token (see tokens.ts). */
  successorSealed!: string | null;
  /** Who rotated this token (hash of address and user agent). */
  clientHash!: string | null;
}
