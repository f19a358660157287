import type { AgentAvailability, AgentStatusDto, SupportAvailabilityDto, SupportSettingsDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import type { User } from '../../db/models/index.js';
import { ForbiddenError } from '../../errors.js';
import type { Presence } from '../../redis/presence.js';
import { type Actor, isStaff } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import type { DomainEvents } from '../events.js';
import { withinBusinessHours } from './business-hours.js';

// Apps with more staff than this show the first ones (by name) and count them all.
const AGENTS_LISTED = 50;

/** Whether the team can answer: agents connected and not away, within business hours. */
export class AvailabilityService {
  constructor(
    private readonly db: Db,
    private readonly apps: AppsService,
    private readonly presence: Presence,
    private readonly events: DomainEvents,
  ) {}

  async of(appId: string): Promise<SupportAvailabilityDto> {
    const [app, staff] = await Promise.all([
      this.apps.get(appId),
      this.db('users')
        .where({ appId, kind: 'member' })
        .whereIn('role', ['agent', 'admin'])
        .select('id', 'name', 'last_name', 'username', 'avatar_url', 'availability') as Promise<User[]>,
    ]);
    const online = await this.presence.online(staff.map((u) => u.id));
    const agents: AgentStatusDto[] = staff.map((u) => ({
      id: u.id,
      name: u.name ?? u.username,
      lastName: u.lastName,
      avatarUrl: u.avatarUrl,
      status: online.has(u.id) ? u.availability : 'offline',
    }));
    const count = (status: AgentStatusDto['status']) => agents.filter((a) => a.status === status).length;
    const withinHours = withinBusinessHours(app.settings?.businessHours, new Date());
    const order = { online: 0, away: 1, offline: 2 };
    agents.sort((a, b) => order[a.status] - order[b.status] || (a.name ?? '').localeCompare(b.name ?? ''));
    return {
      available: withinHours && count('online') > 0,
      withinBusinessHours: withinHours,
      online: count('online'),
      away: count('away'),
      agents: agents.slice(0, AGENTS_LISTED),
    };
  }

  /** What the widget shows before the visitor writes: greeting, away message, reply time, who is there. */
  async settings(appId: string): Promise<SupportSettingsDto> {
    const [app, availability] = await Promise.all([this.apps.get(appId), this.of(appId)]);
    return {
      ...availability,
      greeting: app.settings?.greeting ?? null,
      awayMessage: app.settings?.awayMessage ?? null,
      businessHours: app.settings?.businessHours ?? null,
      replyTime: app.settings?.replyTime ?? null,
    };
  }

  /** An agent sets themselves online or away. */
  async set(actor: Actor, availability: AgentAvailability): Promise<SupportAvailabilityDto> {
    if (!isStaff(actor)) throw new ForbiddenError('Only agents and admins have an availability');
    await this.db('users').where({ id: actor.id }).update({ availability });
    this.events.emit('agents.changed', { appId: actor.appId });
    return this.of(actor.appId);
  }
}
