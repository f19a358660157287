import Joi from 'joi';

import { idSchema } from '../../services/fields.js';
import {
  assignSchema,
  availabilitySchema,
  cannedCreateSchema,
  cannedListSchema,
  cannedUpdateSchema,
  inboxSchema,
  rateSchema,
  startConversationSchema,
} from '../../services/support/schemas.js';
import { searchSchema } from '../../services/support/search.js';
import { route } from '../route.js';

const tag = 'support';
const idParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const AGENTS = 'Agents and admins of the app, and the visitor of the conversation; others get `forbidden`.';
const STAFF = 'Agents and admins only (`forbidden` otherwise).';

export const supportRoutes = [
  route('POST /v1/support/conversations', {
    tag,
    summary: 'A visitor starts a support conversation, optionally with a first message',
    description:
      "Opens a conversation between the caller (a guest or member; staff get `forbidden`) and the app's agents, with " +
      'what the browser tells about the visit, and answers it (201) with the first message when `text` was given. With ' +
      'a `clientId` a retried start answers the same conversation. When nobody can answer, the away message follows. ' +
      'Agents hear `support:conversation`. At most 5 starts a minute per visitor, and the first message counts against ' +
      '`MESSAGE_RATE` (`rate_limited`).',
    body: startConversationSchema,
    handler: async ({ services, actor, input }) => services.support.start(actor, input.body),
  }),
  route('GET /v1/support/conversations', {
    tag,
    summary: "The agents' inbox, latest activity first",
    description:
      'Support conversations of the app with visitor, assignee, last message and what the caller has not read. Filter ' +
      `by \`status\`, \`assignee\` (\`me\`, \`none\` or an agent id) and \`visitorId\` (the conversations that visitor ` +
      `started: their previous ones); paged with \`limit\` and \`cursor\`. ${STAFF}`,
    query: inboxSchema,
    handler: async ({ services, actor, input }) => services.support.inbox(actor, input.query),
  }),
  route('GET /v1/support/search', {
    tag,
    summary: 'Search conversations by message text, visitor name or email',
    description:
      "Full-text search of the app's support conversations: every word of `q` must match (the last also as a prefix, " +
      'so `refun` finds "refund"), in a message (not deleted ones, not system messages) or in the visitor\'s name, ' +
      'username or email. One result per conversation: the conversation as the inbox shows it, the best matching ' +
      'message (`null` when the visitor matched) and the messages just before and after it; open it there with ' +
      '`GET /v1/rooms/:id/messages?around=`. Best match first, newest first among equals; paged with `limit` (at most ' +
      `50) and \`cursor\`. ${STAFF}`,
    query: searchSchema,
    handler: async ({ services, actor, input }) => services.search.search(actor, input.query),
  }),
  route('GET /v1/support/conversations/:id', {
    tag,
    summary: 'One conversation with its visitor, assignee and last message',
    description: `The conversation as the inbox shows it; a room that is not a support conversation is \`not_found\`. ${AGENTS}`,
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.get(actor, input.params.id),
  }),
  route('POST /v1/support/conversations/:id/assign', {
    tag,
    summary: 'Claim, assign to an agent, or unassign',
    description:
      'Without `agentId` the calling agent claims the conversation; with an agent id it goes to that agent ' +
      '(`validation_failed` if they are not an agent of the app); `null` unassigns. A system message records it and ' +
      `agents hear \`support:conversation\`. ${STAFF}`,
    params: idParams,
    body: assignSchema,
    handler: async ({ services, actor, input }) => services.support.assign(actor, input.params.id, input.body.agentId),
  }),
  route('POST /v1/support/conversations/:id/resolve', {
    tag,
    summary: 'Resolve a conversation',
    description: `Sets the status to \`resolved\` (a system message records it); a new message from the visitor reopens it. ${STAFF}`,
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.setStatus(actor, input.params.id, 'resolved'),
  }),
  route('POST /v1/support/conversations/:id/reopen', {
    tag,
    summary: 'Reopen a resolved or pending conversation',
    description: `Sets the status back to \`open\` (a system message records it). ${STAFF}`,
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.setStatus(actor, input.params.id, 'open'),
  }),
  route('PUT /v1/support/conversations/:id/rating', {
    tag,
    summary: 'The visitor rates the resolved conversation (CSAT)',
    description:
      'The visitor who started the conversation rates its current resolution: a whole `score` from 1 to 5 and an ' +
      'optional `comment` (up to 1000 characters). Rating the same resolution again replaces the rating; once the ' +
      'conversation is reopened and resolved again it can be rated anew. Only while it is `resolved` (`conflict` ' +
      'otherwise); agents and other users get `forbidden`. The conversation shows it as `rating`, agents hear ' +
      '`support:conversation`, and webhooks get `conversation.rated`.',
    params: idParams,
    body: rateSchema,
    handler: async ({ services, actor, input }) => services.ratings.rate(actor, input.params.id, input.body),
  }),
  route('GET /v1/support/settings', {
    tag,
    summary: 'What the widget shows before a visitor writes',
    description:
      'The greeting, away message, business hours and usual reply time (`replyTime`) of the app named by ' +
      '`X-Confab-App`, and whether someone can answer now (agents online, within business hours). No user needed: ' +
      'the widget asks before signing in.',
    handler: async ({ services, app }) => services.availability.settings(app.id),
  }),
  route('PUT /v1/support/availability', {
    tag,
    summary: 'An agent sets themselves online or away',
    description:
      'Online agents (on at least one connected socket) make the team available; `away` keeps the agent connected but ' +
      `not counted. Every socket of the app hears \`support:availability\`. ${STAFF}`,
    body: availabilitySchema,
    handler: async ({ services, actor, input }) => services.availability.set(actor, input.body.availability),
  }),
  route('GET /v1/canned-responses', {
    tag,
    summary: "The team's saved replies, by shortcut",
    description: `Every saved reply of the app, by shortcut; \`q\` filters by shortcut and text. ${STAFF}`,
    query: cannedListSchema,
    handler: async ({ services, actor, input }) => services.canned.list(actor, input.query.q),
  }),
  route('POST /v1/canned-responses', {
    tag,
    summary: 'Save a reply under a shortcut',
    description: `Agents type \`/shortcut\` in the composer to insert it. Shortcuts are unique per app (\`conflict\`). ${STAFF}`,
    body: cannedCreateSchema,
    handler: async ({ services, actor, input }) => services.canned.create(actor, input.body),
  }),
  route('PATCH /v1/canned-responses/:id', {
    tag,
    summary: 'Change a saved reply',
    description: `Changes the shortcut (\`conflict\` when taken) or the text of a saved reply of the app. ${STAFF}`,
    params: idParams,
    body: cannedUpdateSchema,
    handler: async ({ services, actor, input }) => services.canned.update(actor, input.params.id, input.body),
  }),
  route('DELETE /v1/canned-responses/:id', {
    tag,
    summary: 'Delete a saved reply',
    description: `Removes a saved reply of the app; answers 204. ${STAFF}`,
    params: idParams,
    handler: async ({ services, actor, input }) => services.canned.delete(actor, input.params.id),
  }),
];
