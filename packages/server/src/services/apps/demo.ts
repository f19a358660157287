import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import type { Db } from '../../db/knex.js';
import { User } from '../../db/models/index.js';
import { dbErrorCode } from '../../errors.js';
import { persistedSecret } from '../../persisted-secret.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AppsService } from './apps-service.js';

export const DEMO_APP_ID = 'demo';
export const DEMO_AGENT = 'agent';
const DEMO_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
/** Where the demo agent's password is kept, inside DATA_DIR. */
export const DEMO_PASSWORD_FILE = 'demo-agent-password';

export interface DemoPassword {
  password: string;
  file: string;
  /** True only in the process that generated it (the one that should show it). */
  generated: boolean;
}

/**
 * The demo agent's password: random, generated at the first start and kept in DATA_DIR (0600),
 * so nodes sharing DATA_DIR agree on it. Never a constant.
 */
export function demoPassword(dataDir: string): DemoPassword {
  const file = join(dataDir, DEMO_PASSWORD_FILE);
  const secret = persistedSecret(file, () => randomBytes(18).toString('base64url'), 16);
  if (!secret) throw new Error(`${file} does not hold a usable demo password (16+ characters); remove it to get a new one`);
  return { password: secret.value, file, generated: secret.created };
}

/**
 * Demo mode: app `demo` and support agent `agent` with `password`, created on first start only
 * (by one node when several start together). An existing agent whose password is not `password`
 * (an older install's, or DATA_DIR was replaced) gets it, so the stored password always works.
 */
export async function ensureDemo(db: Db, apps: AppsService, password: string): Promise<{ created: boolean; reset: boolean }> {
  if (await apps.find(DEMO_APP_ID)) {
    const agent = await User.query(db).findOne({ appId: DEMO_APP_ID, username: DEMO_AGENT });
    if (!agent || (agent.passwordHash && (await verifyPassword(password, agent.passwordHash)))) return { created: false, reset: false };
    await User.query(db)
      .patch({ passwordHash: await hashPassword(password) })
      .where({ id: agent.id });
    return { created: false, reset: true };
  }
  const passwordHash = await hashPassword(password);
  try {
    await db.transaction(async (trx) => {
      await apps.create({ id: DEMO_APP_ID, name: 'Demo', origins: DEMO_ORIGINS, settings: { greeting: 'Hi! How can we help?' } }, trx);
      await User.query(trx).insert({
        appId: DEMO_APP_ID,
        kind: 'member',
        role: 'agent',
        username: DEMO_AGENT,
        name: 'Agent',
        passwordHash,
      });
    });
  } catch (err) {
    if (dbErrorCode(err) === '23505') return { created: false, reset: false };
    throw err;
  }
  return { created: true, reset: false };
}
