import type { AgentAvailability, UserKind, UserRole } from '@confab/protocol';

import { BaseModel } from './base.js';

export class User extends BaseModel {
  static override tableName = 'users';
  static override jsonAttributes = ['metadata'];

  id!: string;
  appId!: string;
  kind!: UserKind;
  role!: UserRole;
  externalId!: string | null;
  username!: string | null;
  email!: string | null;
  name!: string | null;
  lastName!: string | null;
  avatarUrl!: string | null;
  passwordHash!: string | null;
  metadata!: Record<string, unknown>;
  createdAt!: Date;
  lastSeenAt!: Date | null;
  /** Agents: whether they take conversations while connected. */
  availability!: AgentAvailability;
  /** Set once the person's data was erased (the row stays, anonymised). */
  erasedAt!: Date | null;
}
