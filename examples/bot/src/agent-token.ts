import jwt from 'jsonwebtoken';

export interface AgentIdentity {
  /** The bot's id in your systems: Confab's `externalId`, so every run is the same Confab user. */
  id: string;
  name: string;
}

/**
 * A host-signed token that makes the bot a support agent (`role: 'agent'`). It is exchanged at
 * once, so it lives a few minutes; the SDK asks for a new one whenever the session must be renewed.
 */
export function signAgentToken(app: { id: string; secret: string }, bot: AgentIdentity): string {
  return jwt.sign({ name: bot.name, role: 'agent' }, app.secret, {
    algorithm: 'HS256',
    subject: bot.id,
    audience: app.id,
    expiresIn: 5 * 60,
  });
}
