import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import type { Logger } from '../logger.js';
import type { MessageCache } from '../redis/message-cache.js';
import type { Presence } from '../redis/presence.js';
import type { Throttle } from '../redis/throttle.js';
import { AppsService } from './apps/apps-service.js';
import { AuthService } from './auth/auth-service.js';
import { DomainEvents } from './events.js';
import { HistoryService } from './messages/history.js';
import { MessagesService } from './messages/messages-service.js';
import { ReceiptsService } from './messages/receipts.js';
import { RoomsService } from './rooms/rooms-service.js';
import { AvailabilityService } from './support/availability.js';
import { CannedResponsesService } from './support/canned-service.js';
import { SupportService } from './support/support-service.js';
import type { UploadStorage } from './uploads/storage.js';
import { UploadsService } from './uploads/uploads-service.js';
import { UsersService } from './users/users-service.js';
import { Outbox } from './webhooks/outbox.js';
import { WebhooksService } from './webhooks/webhooks-service.js';

export interface Services {
  events: DomainEvents;
  throttle: Throttle;
  apps: AppsService;
  auth: AuthService;
  users: UsersService;
  rooms: RoomsService;
  messages: MessagesService;
  history: HistoryService;
  receipts: ReceiptsService;
  support: SupportService;
  availability: AvailabilityService;
  canned: CannedResponsesService;
  uploads: UploadsService;
  webhooks: WebhooksService;
}

export interface ServiceDeps {
  db: Db;
  config: Config;
  logger: Logger;
  throttle: Throttle;
  cache: MessageCache;
  presence: Presence;
  storage: UploadStorage;
}

/** The one service layer that REST routes and socket handlers both call. */
export function createServices({ db, config, logger, throttle, cache, presence, storage }: ServiceDeps): Services {
  const events = new DomainEvents();
  const apps = new AppsService(db);
  const outbox = new Outbox(events);
  const messages = new MessagesService(db, events, throttle, apps, cache, config.messageRate, outbox);
  const availability = new AvailabilityService(db, apps, presence, events);
  return {
    events,
    throttle,
    apps,
    auth: new AuthService(db, config.jwtSecret, events, config.accessTtlSeconds),
    users: new UsersService(db),
    rooms: new RoomsService(db, events),
    messages,
    history: new HistoryService(db, cache),
    receipts: new ReceiptsService(db, events, logger),
    support: new SupportService(db, events, messages, availability, outbox, throttle),
    availability,
    canned: new CannedResponsesService(db),
    uploads: new UploadsService(db, storage, throttle),
    webhooks: new WebhooksService(db, outbox, events),
  };
}
