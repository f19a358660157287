import { randomBytes } from 'node:crypto';

import { hashPassword, verifyPassword } from './passwords.js';

/** A user of the host site (not of Confab: Confab learns about them from the signed token). */
export interface HostUser {
  /** The site's own id: becomes the token's `sub`, Confab's `externalId`. */
  id: string;
  username: string;
  name: string;
  lastName: string;
  email: string;
  /** Agents answer the site's visitors in the inbox at `/support`. */
  role: 'user' | 'agent';
  passwordHash: string;
}

/**
 * The demo accounts (passwords in the README: `alice` / `wonderland`, `bob` / `can-we-fix-it`,
 * and the support agent `carol` / `answers-first`). Only hashes live in the code, as they would
 * in a real user table.
 */
export const DEMO_USERS: readonly HostUser[] = [
  {
    id: 'u-1001',
    username: 'alice',
    name: 'Alice',
    lastName: 'Liddell',
    email: 'alice@example.com',
    role: 'user',
    passwordHash: 'scrypt:131072:8:1:qwj90uWgAEdLxqwRwwTTDA:FK_LhFwrEJ4d2vF8-mnfjmHMRwUMgs7IxWwlUo0apzA',
  },
  {
    id: 'u-1002',
    username: 'bob',
    name: 'Bob',
    lastName: 'Builder',
    email: 'bob@example.com',
    role: 'user',
    passwordHash: 'scrypt:131072:8:1:wXSjE1AOvpw-FKpr3bnUzg:KsiJ2ETl-L6LwTfchSsxceC9Q3ckWqb-28tv1WBg_VA',
  },
  {
    id: 'u-2001',
    username: 'carol',
    name: 'Carol',
    lastName: 'Support',
    email: 'carol@example.com',
    role: 'agent',
    passwordHash: 'scrypt:131072:8:1:WyFeksGnemwe7tqMp530NQ:tq8OFp9sl_8T4aLHsUyqYhejNV4w-_ssI7yWN3Sl8rM',
  },
];

export interface UserStore {
  byId(id: string): HostUser | null;
  /** The user when the password is right, else null (same time spent either way). */
  authenticate(username: string, password: string): Promise<HostUser | null>;
}

export function createUserStore(users: readonly HostUser[] = DEMO_USERS): UserStore {
  let decoy: Promise<string> | null = null;
  return {
    byId: (id) => users.find((u) => u.id === id) ?? null,
    async authenticate(username, password) {
      const user = users.find((u) => u.username === username.trim().toLowerCase());
      if (!user) {
        // Hash anyway, so response time does not tell which usernames exist.
        decoy ??= hashPassword(randomBytes(16).toString('hex'));
        await verifyPassword(password, await decoy);
        return null;
      }
      return (await verifyPassword(password, user.passwordHash)) ? user : null;
    },
  };
}
