import type { UserDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { hostTokenMatches } from './host-token.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: Record<string, unknown>) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.signature`;
const user = { id: 'u1', kind: 'member', role: 'user', externalId: 'ext-1', name: 'Zoë', email: 'zoe@example.com' } as UserDto;
const exp = Math.floor(Date.now() / 1000) + 3600;

describe('hostTokenMatches', () => {
  it('reuses the session for a token of the same host user that changes nothing', () => {
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app1', exp, name: 'Zoë' }), user, 'app1')).toBe(true);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: ['other', 'app1'], exp }), user, 'app1')).toBe(true);
  });

  it('asks for a new session when the user, the app, a profile claim or the role differs, or the token expired', () => {
    expect(hostTokenMatches(token({ sub: 'ext-2', aud: 'app1', exp }), user, 'app1')).toBe(false);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app2', exp }), user, 'app1')).toBe(false);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app1', exp, name: 'Zoe Renamed' }), user, 'app1')).toBe(false);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app1', exp, role: 'agent' }), user, 'app1')).toBe(false);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app1', exp: exp - 7200 }), user, 'app1')).toBe(false);
    expect(hostTokenMatches(token({ sub: 'ext-1', aud: 'app1', exp }), { ...user, kind: 'guest' }, 'app1')).toBe(false);
  });

  it('treats a malformed token as not matching', () => {
    for (const bad of ['', 'abc', 'a.b.c', 'a.!!!.c', `x.${Buffer.from('[1]').toString('base64url')}.y`]) {
      expect(hostTokenMatches(bad, user, 'app1')).toBe(false);
    }
  });
});
