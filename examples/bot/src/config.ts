import type { BotAuth } from './bot.js';

export interface BotConfig {
  url: string;
  app: string;
  auth: BotAuth;
  /** How the bot signs in, for the start-up line (never the secret itself). */
  authMode: string;
}

export class ConfigError extends Error {}

/**
 * Reads the environment once, at boot, and names every problem at once. Exactly one way in:
 * CONFAB_APP_SECRET (the bot signs its own agent token) or BOT_USERNAME + BOT_PASSWORD.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): BotConfig {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;

  const url = (value('CONFAB_URL') ?? 'http://localhost:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) problems.push(`CONFAB_URL must be an http(s) URL, like http://localhost:3000 (got "${url}")`);
  const app = value('CONFAB_APP');
  if (!app) problems.push('CONFAB_APP is required: your app id (`demo` in demo mode)');

  const secret = value('CONFAB_APP_SECRET');
  const username = value('BOT_USERNAME');
  const password = env.BOT_PASSWORD;
  let auth: BotAuth | null = null;
  if (secret && (username || password)) {
    problems.push('set either CONFAB_APP_SECRET or BOT_USERNAME and BOT_PASSWORD, not both');
  } else if (secret) {
    auth = { secret, id: value('BOT_ID') ?? 'faq-bot', name: value('BOT_NAME') ?? 'FAQ bot' };
  } else if (username && password) {
    auth = { username, password };
  } else if (username || password) {
    problems.push('BOT_USERNAME and BOT_PASSWORD go together');
  } else {
    problems.push('the bot needs a way in: CONFAB_APP_SECRET (it signs its own agent token) or BOT_USERNAME and BOT_PASSWORD of an agent');
  }

  if (problems.length || !auth || !app) throw new ConfigError(`bot: bad configuration\n  ${problems.join('\n  ')}`);
  const authMode = 'secret' in auth ? `app secret, as agent "${auth.id}"` : `password, as "${username}"`;
  return { url, app, auth, authMode };
}
