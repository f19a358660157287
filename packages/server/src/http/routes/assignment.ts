import { ASSIGNMENT_LIMITS } from '@confab/protocol';

import { assignmentSchema } from '../../services/support/assignment-schemas.js';
import { route } from '../route.js';

const tag = 'support';
const { limitMin, limitMax, limitDefault, requeueMin, requeueMax } = ASSIGNMENT_LIMITS;

export const assignmentRoutes = [
  route('GET /v1/support/assignment', {
    tag,
    summary: 'How new conversations are assigned',
    description:
      "The app's auto-assignment with its defaults filled in: `mode` (`off`, `round_robin`, `least_busy`), `limit` " +
      '(least busy: open and pending conversations per agent) and `requeueAfterMinutes` (null: never). Agents and ' +
      'admins only (`forbidden` otherwise).',
    handler: async ({ services, actor }) => services.assignment.get(actor),
  }),
  route('PUT /v1/support/assignment', {
    tag,
    summary: 'Set how new conversations are assigned',
    description:
      '`off`: agents claim conversations from the queue. `round_robin`: each new conversation goes to the next agent ' +
      'who is connected with availability `online`, the one assigned longest ago first. `least_busy`: to the connected ' +
      `online agent with the fewest open and pending conversations, at most \`limit\` (${limitMin}–${limitMax}, default ` +
      `${limitDefault}) each; the rest wait in the queue until an agent has room or comes online. With ` +
      `\`requeueAfterMinutes\` (${requeueMin}–${requeueMax}), an agent away or offline that long loses their open ` +
      'conversations to the queue. Each assignment is a system message (`assigned`, `actorId` null) and agents hear ' +
      '`support:conversation`. Replaces the whole setting; admins of the app only (agents get `forbidden`).',
    body: assignmentSchema,
    handler: async ({ services, actor, input }) => services.assignment.set(actor, input.body),
  }),
];
