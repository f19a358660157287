import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import type { Throttle } from '../redis/throttle.js';
import { AppsService } from './apps/apps-service.js';
import { AuthService } from './auth/auth-service.js';
import { DomainEvents } from './events.js';
import { MessagesService } from './messages/messages-service.js';
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
}

/** The one service layer that REST routes and socket handlers both call. */
export function createServices(deps: { db: Db; config: Config; throttle: Throttle }): Services {
  const { db, config, throttle } = deps;
  const events = new DomainEvents();
  const apps = new AppsService(db);
  return {
    events,
    throttle,
    apps,
    auth: new AuthService(db, config.jwtSecret, events),
    users: new UsersService(db),
    rooms: new RoomsService(db, events),
    messages: new MessagesService(db, events, throttle, apps, config.messageRate),
  };
}
