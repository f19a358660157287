import { LIMITS } from '@confab/protocol';
import { dictionary } from '@zxcvbn-ts/language-common';

const normalize = (value: string) => value.normalize('NFKC').toLowerCase();

/**
 * Passwords found most often in breaches (ASVS 2.1.7): the `passwords-common` list of
 * @zxcvbn-ts/language-common (MIT), lowercased, without those the length rule already refuses.
 * Built once at start-up.
 */
const COMMON: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].map(normalize).filter((password) => password.length >= LIMITS.passwordMin),
);

/** How many common passwords are refused (for the docs and the tests). */
export const COMMON_PASSWORD_COUNT = COMMON.size;

/** Shorter names (usernames may be 3 characters) only count when they are the whole password. */
const NAME_PART_MIN = 4;

export interface PasswordOwner {
  username?: string | null;
  email?: string | null;
}

/** Why `password` is too easy to guess for its owner (a sentence starting with "password"), or null. */
export function passwordWeakness(password: string, owner: PasswordOwner = {}): string | null {
  const candidate = normalize(password);
  if (COMMON.has(candidate)) return 'password is one of the most common passwords; choose one that is harder to guess';
  const names: [string, string | undefined][] = [
    ['username', owner.username?.trim()],
    ['email address', owner.email?.trim().split('@')[0]],
  ];
  for (const [what, raw] of names) {
    if (!raw) continue;
    const name = normalize(raw);
    if (candidate === name || (name.length >= NAME_PART_MIN && candidate.includes(name))) {
      return `password must not contain your ${what}`;
    }
  }
  return null;
}
