import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** How long a signed link to a file works: enough to load a page of images, short if it leaks. */
export const LINK_TTL_SECONDS = 600;
// Clocks of the nodes of a cluster may differ a little; a link claiming to live longer than this was never ours.
const CLOCK_SKEW_SECONDS = 60;

export interface SignedLink {
  /** Unix seconds. */
  exp: number;
  sig: string;
}

/** `valid`, or why not: `expired` (a link we made, now too old) or `invalid` (tampered, or of another file). */
export type LinkCheck = 'valid' | 'expired' | 'invalid';

/**
 * Signs and checks links to files: HMAC-SHA256 over the app, the upload and the expiry. The key is
 * derived from JWT_SECRET for this use alone, so a link's signature is never a token's, nor the reverse.
 */
export class LinkSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds = LINK_TTL_SECONDS,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'confab', 'confab upload links v1', 32));
  }

  sign(appId: string, uploadId: string, nowMs = Date.now()): SignedLink {
    const exp = Math.floor(nowMs / 1000) + this.ttlSeconds;
    return { exp, sig: this.mac(appId, uploadId, exp) };
  }

  check(appId: string, uploadId: string, link: SignedLink, nowMs = Date.now()): LinkCheck {
    const expected = Buffer.from(this.mac(appId, uploadId, link.exp));
    const given = Buffer.from(link.sig);
    // Compared as text: base64url has several spellings of the last bits, only ours is accepted.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    const now = Math.floor(nowMs / 1000);
    if (link.exp > now + this.ttlSeconds + CLOCK_SKEW_SECONDS) return 'invalid';
    return link.exp <= now ? 'expired' : 'valid';
  }

  private mac(appId: string, uploadId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${appId}\n${uploadId.toLowerCase()}\n${exp}`).digest('base64url');
  }
}
