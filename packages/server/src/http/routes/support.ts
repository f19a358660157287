import Joi from 'joi';
import type { StartConversationInput } from '@confab/protocol';
import { idSchema } from '../../services/rooms/schemas.js';
import {
  assignSchema,
  availabilitySchema,
  type CannedInput,
  cannedCreateSchema,
  cannedListSchema,
  cannedUpdateSchema,
  type InboxQuery,
  inboxSchema,
  startConversationSchema,
} from '../../services/support/schemas.js';
import { route } from '../route.js';

const tag = 'support';
type IdParams = { id: string };
const idParams = Joi.object<IdParams>({ id: idSchema.required() });

export const supportRoutes = [
  route<{}, {}, StartConversationInput>({
    method: 'post', path: '/v1/support/conversations', tag, auth: 'user', status: 201, response: 'StartedConversation',
    summary: 'A visitor starts a support conversation, optionally with a first message (retry-safe with its clientId)',
    body: startConversationSchema,
    handler: async ({ services, actor, input }) => services.support.start(actor, input.body),
  }),
  route<{}, InboxQuery>({
    method: 'get', path: '/v1/support/conversations', tag, auth: 'user', response: 'InboxPage',
    summary: "The agents' inbox, by last activity; `assignee` is me, none or an agent id (agents and admins)",
    query: inboxSchema,
    handler: async ({ services, actor, input }) => services.support.inbox(actor, input.query),
  }),
  route<IdParams>({
    method: 'get', path: '/v1/support/conversations/:id', tag, auth: 'user', response: 'Conversation',
    summary: 'One conversation with its visitor, assignee and last message (its agents and its visitor)',
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.get(actor, input.params.id),
  }),
  route<IdParams, {}, { agentId?: string | null }>({
    method: 'post', path: '/v1/support/conversations/:id/assign', tag, auth: 'user', response: 'Conversation',
    summary: 'Claim (no agentId), assign to an agent, or unassign (agentId null)',
    params: idParams,
    body: assignSchema,
    handler: async ({ services, actor, input }) => services.support.assign(actor, input.params.id, input.body.agentId),
  }),
  route<IdParams>({
    method: 'post', path: '/v1/support/conversations/:id/resolve', tag, auth: 'user', response: 'Conversation',
    summary: 'Resolve a conversation (a new visitor message reopens it)',
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.setStatus(actor, input.params.id, 'resolved'),
  }),
  route<IdParams>({
    method: 'post', path: '/v1/support/conversations/:id/reopen', tag, auth: 'user', response: 'Conversation',
    summary: 'Reopen a resolved or pending conversation',
    params: idParams,
    handler: async ({ services, actor, input }) => services.support.setStatus(actor, input.params.id, 'open'),
  }),
  route({
    method: 'get', path: '/v1/support/settings', tag, auth: 'app', response: 'SupportSettings',
    summary: 'What the widget shows before a visitor writes: greeting, away message, business hours, agents online',
    handler: async ({ services, app }) => services.availability.settings(app.id),
  }),
  route<{}, {}, { availability: 'online' | 'away' }>({
    method: 'put', path: '/v1/support/availability', tag, auth: 'user', response: 'SupportAvailability',
    summary: 'An agent sets themselves online or away',
    body: availabilitySchema,
    handler: async ({ services, actor, input }) => services.availability.set(actor, input.body.availability),
  }),
  route<{}, { q?: string }>({
    method: 'get', path: '/v1/canned-responses', tag, auth: 'user', response: 'CannedResponsePage',
    summary: "The team's saved replies, by shortcut; `q` filters (agents and admins)",
    query: cannedListSchema,
    handler: async ({ services, actor, input }) => services.canned.list(actor, input.query.q),
  }),
  route<{}, {}, CannedInput>({
    method: 'post', path: '/v1/canned-responses', tag, auth: 'user', status: 201, response: 'CannedResponse',
    summary: 'Save a reply under a shortcut (unique per app, without the slash)',
    body: cannedCreateSchema,
    handler: async ({ services, actor, input }) => services.canned.create(actor, input.body),
  }),
  route<IdParams, {}, Partial<CannedInput>>({
    method: 'patch', path: '/v1/canned-responses/:id', tag, auth: 'user', response: 'CannedResponse',
    summary: 'Change a saved reply',
    params: idParams,
    body: cannedUpdateSchema,
    handler: async ({ services, actor, input }) => services.canned.update(actor, input.params.id, input.body),
  }),
  route<IdParams>({
    method: 'delete', path: '/v1/canned-responses/:id', tag, auth: 'user', status: 204,
    summary: 'Delete a saved reply',
    params: idParams,
    handler: async ({ services, actor, input }) => services.canned.delete(actor, input.params.id),
  }),
];
