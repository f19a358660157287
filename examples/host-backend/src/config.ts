import { randomBytes } from 'node:crypto';

export interface HostBackendConfig {
  port: number;
  /** The Confab server (no trailing slash). */
  confabUrl: string;
  /** The Confab app id: the audience of the tokens this backend signs. */
  appId: string;
  /** The Confab app secret: signs user tokens. Never sent to browsers. */
  appSecret: string;
  sessionSecret: string;
  /** True when SESSION_SECRET was missing and a random one was made for this run. */
  sessionSecretGenerated: boolean;
}

export class ConfigError extends Error {}

/**
 * Reads and checks the environment once, at boot: a missing secret stops the process with a
 * message naming the variable, instead of failing at the first login.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): HostBackendConfig {
  const problems: string[] = [];
  const port = Number(env.PORT ?? '8082');
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number (got "${env.PORT}")`);

  const confabUrl = (env.CONFAB_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(confabUrl))
    problems.push(`CONFAB_URL must be the server's origin, like http://localhost:3000 (got "${confabUrl}")`);

  const appId = env.CONFAB_APP?.trim() ?? '';
  if (!appId) problems.push('CONFAB_APP is required: the id printed by `node packages/server/dist/cli.js apps:create`');
  const appSecret = env.CONFAB_APP_SECRET?.trim() ?? '';
  if (!appSecret) problems.push('CONFAB_APP_SECRET is required: the secret printed by `apps:create` (keep it on the server)');

  if (problems.length) throw new ConfigError(`host-backend: bad configuration\n  ${problems.join('\n  ')}`);

  const sessionSecret = env.SESSION_SECRET?.trim() || randomBytes(32).toString('base64url');
  return { port, confabUrl, appId, appSecret, sessionSecret, sessionSecretGenerated: !env.SESSION_SECRET?.trim() };
}
