import { LIMITS, MAIL_SETTING_LIMITS, type MailSettingsInput } from '@confab/protocol';
import Joi from 'joi';

import type { Db } from '../../db/knex.js';

const { minutesMin, minutesMax } = MAIL_SETTING_LIMITS;
const minutes = Joi.number().integer().strict().min(minutesMin).max(minutesMax);
const pageUrl = Joi.string()
  .uri({ scheme: ['https', 'http'] })
  .max(LIMITS.urlMax)
  .allow(null);

/** `PUT /v1/support/mail-settings` (any subset), and `mail` in the admin API's app settings. */
export const mailSettingsSchema = Joi.object<Partial<MailSettingsInput>>({
  continuity: Joi.boolean().strict(),
  continuityDelayMinutes: minutes,
  chatUrl: pageUrl,
  notifyAgents: Joi.boolean().strict(),
  notifyAfterMinutes: minutes,
  inboxUrl: pageUrl,
}).min(1);

export const MAIL_SETTINGS_DEFAULTS: MailSettingsInput = {
  continuity: true,
  continuityDelayMinutes: 2,
  chatUrl: null,
  notifyAgents: true,
  notifyAfterMinutes: 5,
  inboxUrl: null,
};

/** The app's mail settings (`apps.settings.mail`) with their defaults filled in. */
export function mailSettingsOf(stored: Partial<MailSettingsInput> | null | undefined): MailSettingsInput {
  return { ...MAIL_SETTINGS_DEFAULTS, ...(stored ?? {}) };
}

/**
 * Reads the settings from the database, not the apps cache: the loops that act on them run on
 * every node, and another node may have just changed them.
 */
export async function readMailSettings(db: Db, appId: string): Promise<MailSettingsInput> {
  const row = (await db('apps').where({ id: appId }).first('settings')) as { settings: { mail?: Partial<MailSettingsInput> } } | undefined;
  return mailSettingsOf(row?.settings.mail);
}

/** Timing of the loops that decide what to mail (continuity, agent notifications). */
export interface MailScheduleOptions {
  /** How often each node looks for mail now due. */
  scheduleMs: number;
  /** The length of a settings' minute: tests shorten it to run "after 2 minutes" in a fraction of a second. */
  minuteMs: number;
}

export const MAIL_SCHEDULE_DEFAULTS: MailScheduleOptions = { scheduleMs: 10_000, minuteMs: 60_000 };
