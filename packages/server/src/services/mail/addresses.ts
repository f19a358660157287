import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Db } from '../../db/knex.js';
import { addressOf } from './transport.js';

/**
 * A conversation's reply address: MAIL_FROM's mailbox with `+token` (sub-addressing), e.g.
 * `support+k3j...@example.com`. Tokens are lower-case base32 because some providers fold case.
 */
export function replyAddress(mailFrom: string, token: string): string {
  const [local, domain] = addressOf(mailFrom).split('@');
  return `${local}+${token}@${domain ?? 'localhost'}`;
}

/** The `+token` part of an address of the MAIL_FROM mailbox, or null. */
export function replyTokenOf(mailFrom: string, address: string): string | null {
  const [local, domain] = addressOf(mailFrom).toLowerCase().split('@');
  const match = /^([^@+]+)\+([a-z2-7]{16,64})@(.+)$/.exec(address.trim().toLowerCase());
  if (!match || match[1] !== local || match[3] !== domain) return null;
  return match[2] ?? null;
}

/** 160 random bits as 32 lower-case base32 characters. */
export function newReplyToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** What is stored of secrets and tokens: their SHA-256, hex. */
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** A new inbound secret (`ib_` and 32 random bytes); only `sha256Hex(secret)` is stored, in `apps.inbound_secret_hash`. */
export function newInboundSecret(): string {
  return `ib_${randomBytes(32).toString('base64url')}`;
}

/** Whether `secret` is the app's inbound secret, compared in constant time. */
export function inboundSecretMatches(secret: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const given = Buffer.from(sha256Hex(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Unsubscribe links: `PUBLIC_URL/v1/mail/unsubscribe?t=<token>`, the token naming the app and the
 * address, signed with a key derived from JWT_SECRET. They do not expire: a mail read a year later
 * must still let its reader stop the next one.
 */
export class UnsubscribeLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicUrl: string | null,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'confab', 'confab mail unsubscribe v1', 32));
  }

  token(appId: string, address: string): string {
    const payload = Buffer.from(`${appId}\n${address.toLowerCase()}`).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The link for a mail's `List-Unsubscribe` and footer; null without PUBLIC_URL (no absolute link to give). */
  url(appId: string, address: string): string | null {
    return this.publicUrl ? `${this.publicUrl}/v1/mail/unsubscribe?t=${this.token(appId, address)}` : null;
  }

  /** The app and address a token names, or null when it was not made here. */
  verify(token: string): { appId: string; address: string } | null {
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined) return null;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const [appId, address, rest] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
    if (!appId || !address || rest !== undefined) return null;
    return { appId, address };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** Whether the address asked this app for no more continuity mail or notifications. */
export async function isUnsubscribed(db: Db, appId: string, address: string): Promise<boolean> {
  return !!(await db('mail_unsubscribes').where({ appId, address: address.toLowerCase() }).first('address'));
}
