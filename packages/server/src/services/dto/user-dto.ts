import type { UserDto, UserSummaryDto } from '@confab/protocol';

import type { User } from '../../db/models/index.js';
import { type Actor, isStaff } from '../actor.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A user as `viewer` may see them: email, external id and metadata only for self and staff. */
export function toUserDto(user: User, viewer: Pick<Actor, 'id' | 'role'> | null): UserDto {
  const dto: UserDto = {
    id: user.id,
    kind: user.kind,
    role: user.role,
    username: user.username,
    name: user.name,
    lastName: user.lastName,
    avatarUrl: user.avatarUrl,
    createdAt: iso(user.createdAt)!,
    lastSeenAt: iso(user.lastSeenAt),
  };
  if (viewer && (viewer.id === user.id || isStaff(viewer))) {
    dto.email = user.email;
    dto.externalId = user.externalId;
    dto.metadata = user.metadata ?? {};
  }
  return dto;
}

/** The columns a summary needs, for queries that select only them. */
export const SUMMARY_COLUMNS = ['id', 'kind', 'role', 'name', 'last_name', 'username', 'avatar_url'] as const;

export function toUserSummary(user: Pick<User, 'id' | 'kind' | 'role' | 'name' | 'lastName' | 'username' | 'avatarUrl'>): UserSummaryDto {
  return {
    id: user.id,
    kind: user.kind,
    role: user.role,
    name: user.name,
    lastName: user.lastName,
    username: user.username,
    avatarUrl: user.avatarUrl,
  };
}
