import type { Db } from '../../db/knex.js';
import { User } from '../../db/models/index.js';
import { dbErrorCode } from '../../errors.js';
import { hashPassword } from '../auth/passwords.js';
import type { AppsService } from './apps-service.js';

export const DEMO_APP_ID = 'demo';
const DEMO_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * Demo mode: app `demo` and support agent `agent`/`agent`, created on first start only (by one
 * node when several start together).
 */
export async function ensureDemo(db: Db, apps: AppsService): Promise<{ created: boolean }> {
  if (await apps.find(DEMO_APP_ID)) return { created: false };
  const passwordHash = await hashPassword('agent');
  try {
    await db.transaction(async (trx) => {
      await apps.create({ id: DEMO_APP_ID, name: 'Demo', origins: DEMO_ORIGINS, settings: { greeting: 'Hi! How can we help?' } }, trx);
      await User.query(trx).insert({ appId: DEMO_APP_ID, kind: 'member', role: 'agent', username: 'agent', name: 'Agent', passwordHash });
    });
  } catch (err) {
    if (dbErrorCode(err) === '23505') return { created: false };
    throw err;
  }
  return { created: true };
}
