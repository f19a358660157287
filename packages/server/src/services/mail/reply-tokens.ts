import { createHmac, hkdfSync } from 'node:crypto';

import type { Db } from '../../db/knex.js';
import { replyAddress, sha256Hex } from './addresses.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case base32 without padding (RFC 4648 alphabet): case-folding providers keep it intact. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export interface ReplyTarget {
  roomId: string;
  appId: string;
}

/**
 * Per-conversation reply tokens. The token is an HMAC of the room id under a key derived from
 * JWT_SECRET, so every mail of a conversation carries the same address without the raw token being
 * stored; the table keeps only its SHA-256 (what an inbound mail is looked up by).
 */
export class ReplyTokens {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly mailFrom: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'confab', 'confab mail reply tokens v1', 32));
  }

  /** 160 bits of HMAC-SHA256 as 32 base32 characters. */
  tokenFor(roomId: string): string {
    return base32(createHmac('sha256', this.key).update(roomId.toLowerCase()).digest().subarray(0, 20));
  }

  /** The conversation's reply address; records the token's hash the first time. */
  async addressFor(db: Db, appId: string, roomId: string): Promise<string> {
    const token = this.tokenFor(roomId);
    const tokenHash = sha256Hex(token);
    // After JWT_SECRET changed the room's token is another: the new one replaces the old.
    await db('mail_reply_tokens')
      .insert({ tokenHash, roomId, appId })
      .onConflict('room_id')
      .merge(['token_hash'])
      .where('mail_reply_tokens.token_hash', '<>', tokenHash);
    return replyAddress(this.mailFrom, token);
  }

  /** The conversation a token names, or null for one never handed out. */
  async find(db: Db, token: string): Promise<ReplyTarget | null> {
    const row = (await db('mail_reply_tokens')
      .where({ tokenHash: sha256Hex(token.toLowerCase()) })
      .first('room_id', 'app_id')) as ReplyTarget | undefined;
    return row ?? null;
  }
}
