import { describe, expect, it } from 'vitest';

import { COMMON_PASSWORD_COUNT, passwordWeakness } from './password-policy.js';

describe('password policy', () => {
  it('knows at least the 10,000 most common passwords long enough to pass the length rule', () => {
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThanOrEqual(10_000);
    for (const common of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'sunshine', 'trustno1', '1qaz2wsx']) {
      expect(passwordWeakness(common), common).toMatch(/common/);
    }
  });

  it('compares case-insensitively and after Unicode normalisation', () => {
    expect(passwordWeakness('PASSWORD')).toMatch(/common/);
    expect(passwordWeakness('ＰＡＳＳＷＯＲＤ')).toMatch(/common/); // full-width letters, NFKC → "password"
  });

  it('refuses the username or the email name as the password or inside it; a 3-letter name only as the whole password', () => {
    expect(passwordWeakness('Marigold77', { username: 'marigold77' })).toMatch(/username/);
    expect(passwordWeakness('my-marigold-rocks', { username: 'Marigold' })).toMatch(/username/);
    expect(passwordWeakness('zebra.crossing!', { email: 'Zebra.Crossing@example.com' })).toMatch(/email/);
    expect(passwordWeakness('bob', { username: 'bob' })).toMatch(/username/);
    expect(passwordWeakness('kebob on sundays', { username: 'bob' })).toBeNull();
    expect(passwordWeakness('violet kettle 42 drums', { username: 'marigold', email: 'zebra@example.com' })).toBeNull();
  });
});
