import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import type { Logger } from '../logger.js';
import type { MessageCache } from '../redis/message-cache.js';
import type { Throttle } from '../redis/throttle.js';
import { AppsService } from './apps/apps-service.js';
import { AuthService } from './auth/auth-service.js';
import { DomainEvents } from './events.js';
import { HistoryService } from './messages/history.js';
import { MessagesService } from './messages/messages-service.js';
import { ReceiptsService } from './messages/receipts.js';
import { RoomsService } from './rooms/rooms-service.js';
import { UsersService } from './users/users-service.js';

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
}

export interface ServiceDeps {
  db: Db;
  config: Config;
  logger: Logger;
  throttle: Throttle;
  cache: MessageCache;
}

/** The one service layer that REST routes and socket handlers both call. */
export function createServices({ db, config, logger, throttle, cache }: ServiceDeps): Services {
  const events = new DomainEvents();
  const apps = new AppsService(db);
  return {
    events,
    throttle,
    apps,
    auth: new AuthService(db, config.jwtSecret, events),
    users: new UsersService(db),
    rooms: new RoomsService(db, events),
    messages: new MessagesService(db, events, throttle, apps, cache, config.messageRate),
    history: new HistoryService(db, cache),
    receipts: new ReceiptsService(db, events, logger),
  };
}
