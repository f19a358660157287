import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import type { Logger } from '../logger.js';
import type { MessageCache } from '../redis/message-cache.js';
import type { Presence } from '../redis/presence.js';
import type { RevokedSessions } from '../redis/revoked-sessions.js';
import type { RoomCache } from '../redis/room-cache.js';
import type { Throttle } from '../redis/throttle.js';
import { AppsService } from './apps/apps-service.js';
import { AuthService } from './auth/auth-service.js';
import { DomainEvents } from './events.js';
import { UnsubscribeLinks } from './mail/addresses.js';
import { InboundMail } from './mail/inbound.js';
import { MailSettingsService } from './mail/mail-settings.js';
import { MailOutbox } from './mail/outbox.js';
import { ReplyTokens } from './mail/reply-tokens.js';
import { TranscriptsService } from './mail/transcripts.js';
import { UnsubscribeService } from './mail/unsubscribe.js';
import { HistoryService } from './messages/history.js';
import { MessagesService } from './messages/messages-service.js';
import { MyMessages } from './messages/my-messages.js';
import { ReceiptsService } from './messages/receipts.js';
import { AppBans } from './moderation/app-bans.js';
import { ModerationLog } from './moderation/audit.js';
import { BlocksService } from './moderation/blocks.js';
import { ModerationService } from './moderation/moderation-service.js';
import { PinsService } from './moderation/pins.js';
import { MessageReports } from './moderation/reports.js';
import { Retention } from './moderation/retention.js';
import { RoomBans } from './moderation/room-bans.js';
import { RoomAccess } from './rooms/access.js';
import { RoomsService } from './rooms/rooms-service.js';
import { AutoAssigner } from './support/auto-assign.js';
import { AvailabilityService } from './support/availability.js';
import { CannedResponsesService } from './support/canned-service.js';
import { LabelsService } from './support/labels.js';
import { NotesService } from './support/notes.js';
import { RatingsService } from './support/ratings.js';
import { ReportsService } from './support/reports.js';
import { SupportSearch } from './support/search.js';
import { SupportService } from './support/support-service.js';
import { LinkSigner } from './uploads/links.js';
import type { UploadStorage } from './uploads/storage.js';
import { UploadsService } from './uploads/uploads-service.js';
import { Erasure } from './users/erasure.js';
import { UserExport } from './users/export.js';
import { LastSeen } from './users/last-seen.js';
import { UsersService } from './users/users-service.js';
import { Outbox } from './webhooks/outbox.js';
import { WebhooksService } from './webhooks/webhooks-service.js';

export interface Services {
  events: DomainEvents;
  /** What reads know of rooms without the database; every writer of rooms and memberships registers here. */
  roomCache: RoomCache;
  throttle: Throttle;
  apps: AppsService;
  auth: AuthService;
  users: UsersService;
  /** Everything held about one person, as a streamed JSON archive. */
  userExport: UserExport;
  /** `users.last_seen_at`, written in batches (presence changes). */
  lastSeen: LastSeen;
  rooms: RoomsService;
  messages: MessagesService;
  history: HistoryService;
  /** A person's own messages across every room (`GET /v1/me/messages`). */
  myMessages: MyMessages;
  receipts: ReceiptsService;
  support: SupportService;
  /** Agents' full-text search of support conversations. */
  search: SupportSearch;
  availability: AvailabilityService;
  /** Auto-assignment of support conversations (its sweep is started and stopped by the app). */
  assignment: AutoAssigner;
  canned: CannedResponsesService;
  labels: LabelsService;
  /** Agents' private notes on conversations (never a visitor's to see). */
  notes: NotesService;
  /** Visitors' satisfaction ratings of resolved conversations. */
  ratings: RatingsService;
  /** Figures of the team's support work over a period (opened, resolved, response times, CSAT). */
  reports: ReportsService;
  uploads: UploadsService;
  webhooks: WebhooksService;
  /** The durable mail outbox (its sender loop is started and stopped by the app). */
  mail: MailOutbox;
  /** Conversation transcripts by email. */
  transcripts: TranscriptsService;
  /** The app's mail settings, its inbound secret, and the mails of a conversation. */
  mailSettings: MailSettingsService;
  /** Replies by email taken into their conversations (`POST /v1/inbound/email`). */
  inbound: InboundMail;
  /** Mails' unsubscribe links (their signing) and the addresses that used them. */
  unsubscribe: UnsubscribeService;
  /** Per-app deletion of old messages and idle guests (run by housekeeping). */
  retention: Retention;
  /** The audit log of moderation actions (each written with its action, announced after the commit). */
  moderationLog: ModerationLog;
  /** Room roles, mutes, kicks and slow mode in group and public rooms; the audit log's reads. */
  moderation: ModerationService;
  /** Bans from one room. */
  roomBans: RoomBans;
  /** Bans from the whole app (every session ended). */
  appBans: AppBans;
  /** A room's pinned messages. */
  pins: PinsService;
  /** People a user blocked (enforced in direct rooms). */
  blocks: BlocksService;
  /** Messages reported to the room's moderators and the app's staff. */
  messageReports: MessageReports;
  /** Erasure of a person's data, resumable (housekeeping finishes what stopped halfway). */
  erasure: Erasure;
}

export interface ServiceDeps {
  db: Db;
  config: Config;
  logger: Logger;
  throttle: Throttle;
  cache: MessageCache;
  /** Rooms' bits and memberships for reads without the database; writers register with it (redis/room-cache.ts). */
  roomCache: RoomCache;
  presence: Presence;
  storage: UploadStorage;
  /** Sessions ended recently, checked in memory by every authentication. */
  revokedSessions: RevokedSessions;
}

/** The one service layer that REST routes and socket handlers both call. */
export function createServices({
  db,
  config,
  logger,
  throttle,
  cache,
  roomCache,
  presence,
  storage,
  revokedSessions,
}: ServiceDeps): Services {
  const events = new DomainEvents();
  const access = new RoomAccess(db, roomCache);
  invalidateOnUnregisteredWrites(events, roomCache);
  const apps = new AppsService(db);
  const outbox = new Outbox(events);
  const mail = new MailOutbox(db, config.mailFrom);
  const moderationLog = new ModerationLog(db, events, outbox);
  const messages = new MessagesService(db, events, throttle, apps, cache, config.messageRate, outbox, roomCache, moderationLog);
  const availability = new AvailabilityService(db, apps, presence, events);
  const support = new SupportService(db, events, messages, availability, outbox, throttle, roomCache);
  const uploads = new UploadsService(db, storage, throttle, new LinkSigner(config.jwtSecret), apps);
  const erasure = new Erasure({ db, events, revoked: revokedSessions, storage, roomCache, log: moderationLog, outbox, logger });
  return {
    events,
    roomCache,
    throttle,
    apps,
    auth: new AuthService(db, config.jwtSecret, events, revokedSessions, config.accessTtlSeconds),
    users: new UsersService(db),
    userExport: new UserExport(db),
    lastSeen: new LastSeen(db, logger),
    rooms: new RoomsService(db, events, roomCache),
    messages,
    history: new HistoryService(db, cache, access),
    myMessages: new MyMessages(db, messages),
    receipts: new ReceiptsService(db, events, logger, roomCache),
    support,
    search: new SupportSearch(db),
    availability,
    assignment: new AutoAssigner(db, support, apps, presence, events, roomCache, logger),
    canned: new CannedResponsesService(db),
    labels: new LabelsService(db, events, roomCache),
    notes: new NotesService(db, events),
    ratings: new RatingsService(db, events, outbox, roomCache),
    reports: new ReportsService(db),
    uploads,
    webhooks: new WebhooksService(db, outbox, events),
    mail,
    transcripts: new TranscriptsService(db, mail, throttle, config.publicUrl),
    unsubscribe: new UnsubscribeService(db, new UnsubscribeLinks(config.jwtSecret, config.publicUrl)),
    inbound: new InboundMail({
      db,
      tokens: new ReplyTokens(config.jwtSecret, config.mailFrom),
      messages,
      uploads,
      logger,
      mailFrom: config.mailFrom,
      maxUploadBytes: config.maxUploadBytes,
    }),
    mailSettings: new MailSettingsService(db, apps, {
      mailFrom: config.mailFrom,
      transport: config.smtpUrl ? 'smtp' : 'files',
      publicUrl: config.publicUrl,
    }),
    moderationLog,
    moderation: new ModerationService(db, events, roomCache, moderationLog),
    roomBans: new RoomBans(db, events, roomCache, moderationLog),
    appBans: new AppBans(db, events, revokedSessions, moderationLog),
    pins: new PinsService(db, events, moderationLog),
    blocks: new BlocksService(db),
    messageReports: new MessageReports(db, events, outbox, throttle),
    erasure,
    retention: new Retention(db, apps, cache, roomCache, storage, logger, (appId, userId) => erasure.erase(appId, userId, 'retention')),
  };
}

/**
 * Changes made without registering with the room cache still drop what it held of them once they
 * are announced: a guest merged into the user who signed in (memberships), and sends until the
 * send path registers its batches (then the `message.created` listener can go).
 */
function invalidateOnUnregisteredWrites(events: DomainEvents, roomCache: RoomCache): void {
  events.on('member.added', ({ roomId, userIds }) => void roomCache.invalidate({ roomIds: [roomId], userIds }));
  events.on('member.removed', ({ roomId, userId }) => void roomCache.invalidate({ roomIds: [roomId], userIds: [userId] }));
}
