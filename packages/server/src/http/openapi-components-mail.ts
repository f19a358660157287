import { MAIL_KINDS, MAIL_SETTING_LIMITS } from '@confab/protocol';

import { int, nstr, ntime, obj, page, str, time } from './openapi-parts.js';

// The mail shapes' component schemas (openapi-components.ts adds them to the document's).

const minutes = { ...int, minimum: MAIL_SETTING_LIMITS.minutesMin, maximum: MAIL_SETTING_LIMITS.minutesMax };
const mailSettingsInput = {
  continuity: { type: 'boolean' },
  continuityDelayMinutes: minutes,
  chatUrl: nstr,
  notifyAgents: { type: 'boolean' },
  notifyAfterMinutes: minutes,
  inboxUrl: nstr,
};
const mail = {
  id: str,
  kind: { type: 'string', enum: [...MAIL_KINDS] },
  to: str,
  subject: str,
  status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
  attempts: int,
  lastError: nstr,
  createdAt: time,
  sentAt: ntime,
};

export const MAIL_COMPONENTS = {
  Mail: obj(mail),
  MailPage: page('Mail'),
  MailSettings: obj({
    ...mailSettingsInput,
    inboundConfigured: { type: 'boolean' },
    replyAddress: str,
    transport: { type: 'string', enum: ['smtp', 'files'] },
  }),
  InboundSecret: obj({ username: str, secret: str, url: str }),
  InboundMailResult: obj({ conversationId: str, messageId: str, created: { type: 'boolean' } }),
};
