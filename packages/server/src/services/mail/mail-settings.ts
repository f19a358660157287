import type { InboundSecretDto, MailDto, MailKind, MailSettingsDto, MailSettingsInput, MailStatus, PageDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { type Actor, requireStaff } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import type { PageInput } from '../fields.js';
import { decodeCursor, encodeCursor, splitPage } from '../pagination.js';
import { newInboundSecret, replyAddress, sha256Hex } from './addresses.js';
import { readMailSettings } from './settings.js';

interface MailRow {
  id: string;
  kind: MailKind;
  to: string;
  subject: string;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const toMailDto = (row: MailRow): MailDto => ({
  id: row.id,
  kind: row.kind,
  to: row.to,
  subject: row.subject,
  status: row.status,
  attempts: row.attempts,
  lastError: row.lastError,
  createdAt: new Date(row.createdAt).toISOString(),
  sentAt: row.sentAt ? new Date(row.sentAt).toISOString() : null,
});

export interface MailSettingsDeps {
  mailFrom: string;
  transport: 'smtp' | 'files';
  publicUrl: string | null;
}

/** The app's mail settings (admins change them), its inbound secret, and the mails of a conversation. */
export class MailSettingsService {
  constructor(
    private readonly db: Db,
    private readonly apps: AppsService,
    private readonly deps: MailSettingsDeps,
  ) {}

  async get(actor: Actor): Promise<MailSettingsDto> {
    requireStaff(actor);
    const [settings, app] = await Promise.all([
      readMailSettings(this.db, actor.appId),
      this.db('apps').where({ id: actor.appId }).first('inbound_secret_hash') as Promise<{ inboundSecretHash: string | null }>,
    ]);
    return {
      ...settings,
      inboundConfigured: !!app.inboundSecretHash,
      replyAddress: replyAddress(this.deps.mailFrom, '<token>'),
      transport: this.deps.transport,
    };
  }

  async set(actor: Actor, input: Partial<MailSettingsInput>): Promise<MailSettingsDto> {
    this.requireAdmin(actor, 'Only admins of this app change its mail settings');
    // One statement merges the fields given into those stored: two admins changing different fields at
    // once both keep theirs (a read, then a write of the whole object, lost one of them).
    await this.db('apps')
      .where({ id: actor.appId })
      .update({
        settings: this.db.raw("jsonb_set(settings, '{mail}', coalesce(settings->'mail', '{}'::jsonb) || ?::jsonb)", [
          JSON.stringify(input),
        ]),
      });
    // Changes nothing more; drops this node's cached copy of the app (the admin API shows `mail`).
    await this.apps.updateSettings(actor.appId, {});
    return this.get(actor);
  }

  /** A new inbound secret replaces the old one at once; only its hash is kept, so this is the one time it is seen. */
  async rotateInboundSecret(actor: Actor, requestOrigin: string): Promise<InboundSecretDto> {
    this.requireAdmin(actor, 'Only admins of this app change its inbound secret');
    return this.newInboundSecret(actor.appId, requestOrigin);
  }

  /** The same for the operator (admin API), for any app. The URL is PUBLIC_URL's, else the request's origin. */
  async newInboundSecret(appId: string, requestOrigin: string): Promise<InboundSecretDto> {
    const secret = newInboundSecret();
    await this.db('apps')
      .where({ id: appId })
      .update({ inboundSecretHash: sha256Hex(secret) });
    return { username: appId, secret, url: `${this.deps.publicUrl ?? requestOrigin}/v1/inbound/email` };
  }

  /** The mails about a conversation (transcripts, continuity), newest first; agent notifications name many. */
  async mails(actor: Actor, roomId: string, page: PageInput): Promise<PageDto<MailDto>> {
    requireStaff(actor);
    const room = await this.db('rooms').where({ id: roomId, appId: actor.appId, kind: 'support' }).first('id');
    if (!room) throw new NotFoundError('Conversation');
    const query = this.db('mail_outbox')
      .where({ roomId, appId: actor.appId })
      // Milliseconds, as the cursor carries them (a finer order would repeat or skip a mail across pages).
      .orderByRaw("date_trunc('milliseconds', created_at) desc, id desc")
      .select('id', 'kind', 'to', 'subject', 'status', 'attempts', 'last_error', 'created_at', 'sent_at');
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['iso-date', 'uuid']);
      query.whereRaw("(date_trunc('milliseconds', created_at), id) < (?::timestamptz, ?::uuid)", [at, id]);
    }
    const { items, hasMore } = splitPage((await query.limit(page.limit + 1)) as MailRow[], page.limit);
    const last = items.at(-1);
    return {
      items: items.map(toMailDto),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([new Date(last.createdAt).toISOString(), last.id]) } : {}),
    };
  }

  private requireAdmin(actor: Actor, message: string): void {
    requireStaff(actor);
    if (actor.role !== 'admin') throw new ForbiddenError(message);
  }
}
