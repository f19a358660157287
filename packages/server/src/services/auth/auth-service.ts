import { randomUUID } from 'node:crypto';

import type { AuthSessionDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { type App, Message, RefreshToken, User } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, UnauthorizedError } from '../../errors.js';
import type { RevokedSessions } from '../../redis/revoked-sessions.js';
import type { Actor } from '../actor.js';
import { toMessageDtos } from '../dto/message-dto.js';
import { toUserDto } from '../dto/user-dto.js';
import type { DomainEvents } from '../events.js';
import { refuseBannedUser } from './bans.js';
import { verifyHostToken } from './host-token.js';
import { type MergedGuest, mergeGuestInto } from './merge-guest.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { revokeFamily, sessionOpenInDb } from './revocations.js';
import type { GuestInput, LoginInput, RegisterInput } from './schemas.js';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  hashRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_TTL_MS,
  sealSuccessor,
  signAccessToken,
  unsealSuccessor,
  verifyAccessToken,
} from './tokens.js';

/** How long after a rotation the same client may present the old token again and get the same successor. */
export const REFRESH_REUSE_GRACE_MS = 10_000;

export interface RefreshOptions {
  /** Who presents the token (`clientHash` of address and user agent): the grace window is per client. */
  client?: string;
  /** Refuses (throws) when the request may not act in the app the token belongs to. */
  assertApp?: (appId: string) => Promise<void> | void;
}

/** A guest adopted by the user who signed in. */
interface Merge {
  appId: string;
  guestId: string;
  userId: string;
  result: MergedGuest;
}

/**
 * Register's answer when the username or the email belongs to someone: one message for both, so it
 * does not tell which (or whether that email has an account). Email verification would hide it fully.
 */
const UNAVAILABLE = 'That username or email cannot be used';

/** Register, login, guests, host-token exchange, refresh rotation with reuse detection, logout. */
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly jwtSecret: string,
    private readonly events: DomainEvents,
    /** Sessions ended recently (every path that ends one records it there after commit). */
    readonly revoked: RevokedSessions,
    private readonly accessTtlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  ) {}

  /**
   * Resolves an access token to its caller from its claims alone; its session must not have been
   * revoked, which the registry of revoked sessions answers from memory (the database only while
   * that registry cannot be sure, e.g. Redis is away).
   */
  async authenticate(accessToken: string): Promise<Actor> {
    const claims = verifyAccessToken(this.jwtSecret, accessToken);
    const revoked = this.revoked.isRevoked(claims.sid) ?? !(await sessionOpenInDb(this.db, claims.sub, claims.sid));
    if (revoked) throw new UnauthorizedError('The session has ended; sign in again');
    return {
      id: claims.sub,
      appId: claims.app,
      role: claims.role,
      kind: claims.kind,
      sessionId: claims.sid,
      tokenExpiresAt: claims.exp * 1000,
    };
  }

  async register(app: App, input: RegisterInput, guest: Actor | null): Promise<AuthSessionDto> {
    const passwordHash = await hashPassword(input.password);
    return this.signIn(guest, async (trx) => {
      await this.assertAvailable(trx, app.id, input.username, input.email);
      return User.query(trx)
        .insertAndFetch({
          appId: app.id,
          kind: 'member',
          role: 'user',
          username: input.username,
          email: input.email ?? null,
          name: input.name,
          lastName: input.lastName ?? null,
          passwordHash,
        })
        .catch((err: unknown) => {
          // A concurrent registration of the same name: the same answer, not the index's name.
          if (dbErrorCode(err) === '23505') throw new ConflictError(UNAVAILABLE);
          throw err;
        });
    });
  }

  async login(app: App, input: LoginInput, guest: Actor | null): Promise<AuthSessionDto> {
    const login = input.username.toLowerCase();
    const user = await User.query(this.db)
      .where('app_id', app.id)
      .where('kind', 'member')
      .where((q) => {
        q.whereRaw('lower(username) = ?', [login]).orWhereRaw('lower(email) = ?', [login]);
      })
      .first();
    if (!user?.passwordHash) {
      await burnPasswordCheck(input.password);
      throw new UnauthorizedError('Wrong username or password');
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      throw new UnauthorizedError('Wrong username or password');
    }
    return this.signIn(guest, async () => user);
  }

  async guest(app: App, input: GuestInput): Promise<AuthSessionDto> {
    return this.db.transaction(async (trx) => {
      const user = await User.query(trx).insertAndFetch({
        appId: app.id,
        kind: 'guest',
        role: 'user',
        name: input.name ?? null,
        email: input.email ?? null,
        metadata: input.metadata ?? {},
      });
      return (await this.issueSession(trx, user)).session;
    });
  }

  /** A host-signed token becomes a Confab session; the user is upserted by its external id. */
  async exchange(app: App, token: string, guest: Actor | null): Promise<AuthSessionDto> {
    const claims = verifyHostToken(token, app.id, app.secret);
    return this.signIn(guest, async (trx) => {
      const fields: Partial<User> = {};
      if (claims.name !== undefined) fields.name = claims.name;
      if (claims.lastName !== undefined) fields.lastName = claims.lastName;
      if (claims.email !== undefined) fields.email = claims.email;
      if (claims.avatarUrl !== undefined) fields.avatarUrl = claims.avatarUrl;
      if (claims.role !== undefined) fields.role = claims.role;
      const [row] = await trx('users')
        .insert({ appId: app.id, kind: 'member', role: 'user', externalId: claims.sub, ...fields })
        .onConflict(['app_id', 'external_id'])
        .merge(Object.keys(fields).length ? Object.keys(fields) : ['externalId'])
        .returning('id');
      return User.query(trx).findById(row.id).throwIfNotFound();
    });
  }

  /**
   * Rotates a refresh token (RFC 9700). Presenting one already rotated revokes its whole family,
   * except within REFRESH_REUSE_GRACE_MS of its rotation by the same client while its successor
   * is still unused: then it gets that same successor (two tabs refreshing at once are not a thief).
   */
  async refresh(refreshToken: string, options: RefreshOptions = {}): Promise<AuthSessionDto> {
    const outcome = await this.db.transaction(async (trx) => {
      const row = await RefreshToken.query(trx)
        .forUpdate()
        .findOne({ tokenHash: hashRefreshToken(refreshToken) });
      if (!row) return { kind: 'invalid' as const };
      // Before the revocation check: a banned user's tokens were all revoked, and they should hear why.
      await refuseBannedUser(trx, row.userId);
      if (row.revokedAt) return { kind: 'invalid' as const };
      const user = await User.query(trx).findById(row.userId);
      if (!user) return { kind: 'invalid' as const };
      await options.assertApp?.(user.appId);
      if (row.replacedBy) {
        const again = await this.reissueSuccessor(trx, row, refreshToken, user, options.client);
        if (again) return { kind: 'ok' as const, session: again };
        await revokeFamily(trx, row.familyId);
        return { kind: 'reused' as const, userId: row.userId, familyId: row.familyId };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { kind: 'invalid' as const };
      const { session, refreshTokenId } = await this.issueSession(trx, user, row.familyId);
      await RefreshToken.query(trx)
        .patch({
          replacedBy: refreshTokenId,
          replacedAt: new Date(),
          successorSealed: sealSuccessor(session.refreshToken, refreshToken, row.id),
          clientHash: options.client ?? null,
        })
        .where('id', row.id);
      // The token before this one can no longer be answered with a successor: forget its seal.
      await RefreshToken.query(trx).patch({ successorSealed: null }).where('replaced_by', row.id);
      return { kind: 'ok' as const, session };
    });
    // Thrown after commit, so the family revocation on reuse is kept.
    if (outcome.kind === 'reused') {
      await this.revoked.revoke([outcome.familyId]);
      this.events.emit('session.ended', { userId: outcome.userId, sessionId: outcome.familyId });
      throw new UnauthorizedError('This refresh token was already used; the session is revoked');
    }
    if (outcome.kind === 'invalid') throw new UnauthorizedError('Invalid or expired refresh token');
    return outcome.session;
  }

  /** The successor of a just-rotated token, again, when the grace rules allow it; null otherwise. */
  private async reissueSuccessor(
    trx: Knex.Transaction,
    row: RefreshToken,
    presented: string,
    user: User,
    client?: string,
  ): Promise<AuthSessionDto | null> {
    const withinGrace = row.replacedAt !== null && Date.now() - row.replacedAt.getTime() <= REFRESH_REUSE_GRACE_MS;
    if (!withinGrace || !row.successorSealed || !client || row.clientHash !== client) return null;
    const successor = await RefreshToken.query(trx).forUpdate().findById(row.replacedBy!);
    if (!successor || successor.revokedAt || successor.replacedBy || successor.expiresAt.getTime() <= Date.now()) return null;
    const token = unsealSuccessor(row.successorSealed, presented, row.id);
    if (!token || hashRefreshToken(token) !== successor.tokenHash) return null;
    return this.sessionOf(user, row.familyId, token, successor.expiresAt);
  }

  /** Ends the caller's session (and the one of `refreshToken`, if given and theirs). */
  async logout(actor: Actor, refreshToken?: string): Promise<void> {
    const ended = [actor.sessionId];
    await this.db.transaction(async (trx) => {
      await revokeFamily(trx, actor.sessionId);
      if (refreshToken) {
        const row = await RefreshToken.query(trx).findOne({ tokenHash: hashRefreshToken(refreshToken), userId: actor.id });
        if (row) {
          await revokeFamily(trx, row.familyId);
          ended.push(row.familyId);
        }
      }
    });
    const sessionIds = [...new Set(ended)];
    await this.revoked.revoke(sessionIds);
    for (const sessionId of sessionIds) this.events.emit('session.ended', { userId: actor.id, sessionId });
  }

  /** Finds or creates the user in one transaction, adopts the caller's guest data, opens a session. */
  private async signIn(guest: Actor | null, findUser: (trx: Knex.Transaction) => Promise<User>): Promise<AuthSessionDto> {
    const { session, merge } = await this.db.transaction(async (trx) => {
      const user = await findUser(trx);
      await refuseBannedUser(trx, user.id);
      let merged: Merge | null = null;
      if (guest && guest.kind === 'guest' && guest.appId === user.appId && guest.id !== user.id) {
        merged = {
          appId: user.appId,
          guestId: guest.id,
          userId: user.id,
          result: await mergeGuestInto(trx, user.appId, guest.id, user.id),
        };
      }
      return { session: (await this.issueSession(trx, user)).session, merge: merged };
    });
    if (merge) {
      await this.revoked.revoke(merge.result.sessionIds);
      await this.announceMerge(merge);
    }
    return session;
  }

  /** After commit: the guest leaves its rooms, the user joins them, its messages change sender. */
  private async announceMerge({ appId, guestId, userId, result }: Merge): Promise<void> {
    this.events.emit('user.merged', { appId, fromUserId: guestId, toUserId: userId });
    for (const roomId of result.roomIds) {
      this.events.emit('member.removed', { appId, roomId, userId: guestId });
      this.events.emit('member.added', { appId, roomId, userIds: [userId] });
    }
    const rows = await Message.query(this.db).whereIn(
      'id',
      result.moved.map((m) => m.id),
    );
    for (const message of await toMessageDtos(this.db, rows)) {
      this.events.emit('message.updated', { appId, roomId: message.roomId, version: message.version, message });
    }
  }

  private async issueSession(
    trx: Knex.Transaction,
    user: User,
    familyId: string = randomUUID(),
  ): Promise<{ session: AuthSessionDto; refreshTokenId: string }> {
    const refresh = newRefreshToken();
    const refreshExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_MS);
    const row = await RefreshToken.query(trx).insert({ userId: user.id, familyId, tokenHash: refresh.hash, expiresAt: refreshExpiresAt });
    return { session: this.sessionOf(user, familyId, refresh.token, refreshExpiresAt), refreshTokenId: row.id };
  }

  /** Tokens for a session: a fresh access token beside the given refresh token. */
  private sessionOf(user: User, familyId: string, refreshToken: string, refreshExpiresAt: Date): AuthSessionDto {
    const claims = { sub: user.id, app: user.appId, role: user.role, kind: user.kind, sid: familyId };
    const access = signAccessToken(this.jwtSecret, claims, this.accessTtlSeconds);
    return {
      user: toUserDto(user, user),
      accessToken: access.token,
      refreshToken,
      expiresAt: access.expiresAt.toISOString(),
      refreshExpiresAt: refreshExpiresAt.toISOString(),
    };
  }

  private async assertAvailable(trx: Knex.Transaction, appId: string, username: string, email?: string): Promise<void> {
    const taken = await trx('users')
      .where('app_id', appId)
      .where((q) => {
        q.whereRaw('lower(username) = lower(?)', [username]);
        if (email) {
          q.orWhere((w) => {
            w.whereRaw('lower(email) = lower(?)', [email]).andWhere('kind', 'member');
          });
        }
      })
      .first('id');
    if (taken) throw new ConflictError(UNAVAILABLE);
  }
}
