import type { InboundMailResultDto, InboundSecretDto, MailDto, MailSettingsDto, MailSettingsInput } from '@confab/protocol';

// The mail shapes' examples (openapi-examples.ts composes them into the document's).

const ids = {
  mail: '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b',
  conversation: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  message: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  app: 'h3kq9tzm4xwp',
};

export const mail: MailDto = {
  id: ids.mail,
  kind: 'continuity',
  to: 'vera@example.com',
  subject: 'Bob replied to your conversation with Acme',
  status: 'sent',
  attempts: 1,
  lastError: null,
  createdAt: '2025-03-14T09:33:07.000Z',
  sentAt: '2025-03-14T09:33:08.000Z',
};

export const mailSettingsInput: MailSettingsInput = {
  continuity: true,
  continuityDelayMinutes: 2,
  chatUrl: 'https://shop.example.com/help',
  notifyAgents: true,
  notifyAfterMinutes: 5,
  inboxUrl: 'https://support.example.com/inbox',
};

export const mailSettings: MailSettingsDto = {
  ...mailSettingsInput,
  inboundConfigured: true,
  replyAddress: 'support+<token>@example.com',
  transport: 'smtp',
};

export const inboundSecret: InboundSecretDto = {
  username: ids.app,
  secret: 'ib_7Hq2vX9pL4mN1bR8tY3wZ6cF0hJ5dS2gA9eU4iO7pQ1',
  url: 'https://chat.example.com/v1/inbound/email',
};

export const inboundResult: InboundMailResultDto = { conversationId: ids.conversation, messageId: ids.message, created: true };
