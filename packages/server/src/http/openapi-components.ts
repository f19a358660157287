import { ERROR_STATUS } from '@confab/protocol';

// Response shapes of the API (the DTOs of @confab/protocol), for /v1/openapi.json.
const str = { type: 'string' };
const nstr = { type: 'string', nullable: true };
const time = { type: 'string', format: 'date-time' };
const ntime = { ...time, nullable: true };
const int = { type: 'integer' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', properties, required });
const page = (item: string) => obj({ items: { type: 'array', items: ref(item) }, hasMore: { type: 'boolean' }, nextCursor: str }, ['items', 'hasMore']);

const userSummary = {
  id: str,
  kind: { type: 'string', enum: ['member', 'guest'] },
  role: { type: 'string', enum: ['user', 'agent', 'admin'] },
  name: nstr,
  username: nstr,
  avatarUrl: nstr,
};

const room = {
  id: str,
  kind: { type: 'string', enum: ['direct', 'group', 'public', 'support'] },
  name: nstr,
  slug: nstr,
  createdBy: nstr,
  lastSeq: int,
  lastMessageAt: ntime,
  createdAt: time,
  memberCount: int,
  peer: { ...ref('UserSummary'), nullable: true },
  membership: { ...ref('Membership'), nullable: true },
};

const membership = {
  roomId: str,
  userId: str,
  role: { type: 'string', enum: ['owner', 'member', 'agent'] },
  joinedAt: time,
  deliveredSeq: int,
  readSeq: int,
  muted: { type: 'boolean' },
};

export const COMPONENT_SCHEMAS: Record<string, unknown> = {
  Error: obj({
    error: obj({
      code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
      message: str,
      details: { oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }] },
    }, ['code', 'message']),
  }),
  UserSummary: obj(userSummary),
  User: obj({
    ...userSummary,
    lastName: nstr,
    email: { ...nstr, description: 'Yourself, or anyone when you are staff' },
    externalId: nstr,
    metadata: { type: 'object' },
    createdAt: time,
    lastSeenAt: ntime,
  }, ['id', 'kind', 'role', 'name', 'username', 'lastName', 'avatarUrl', 'createdAt', 'lastSeenAt']),
  UserPage: page('User'),
  AuthSession: obj({ user: ref('User'), accessToken: str, refreshToken: str, expiresAt: time, refreshExpiresAt: time }),
  Membership: obj(membership),
  Member: obj({ ...membership, user: ref('UserSummary') }),
  MemberPage: page('Member'),
  Room: obj(room, ['id', 'kind', 'name', 'slug', 'createdBy', 'lastSeq', 'lastMessageAt', 'createdAt', 'memberCount']),
  RoomListItem: obj({ ...room, lastMessage: { ...ref('Message'), nullable: true }, unreadCount: int }, ['id', 'kind', 'lastSeq', 'lastMessage', 'unreadCount']),
  RoomListPage: page('RoomListItem'),
  Reaction: obj({ emoji: str, count: int, userIds: { type: 'array', items: str } }),
  Attachment: obj({ id: str, name: str, type: str, size: int, width: { ...int, nullable: true }, height: { ...int, nullable: true }, url: str }),
  Message: obj({
    id: str,
    roomId: str,
    seq: int,
    version: int,
    clientId: nstr,
    senderId: str,
    sender: { ...ref('UserSummary'), nullable: true },
    text: str,
    replyToId: nstr,
    attachments: { type: 'array', items: ref('Attachment') },
    reactions: { type: 'array', items: ref('Reaction') },
    createdAt: time,
    editedAt: ntime,
    deletedAt: ntime,
  }),
  MessagePage: page('Message'),
  ReactionUpdate: obj({ roomId: str, messageId: str, version: int, reactions: { type: 'array', items: ref('Reaction') } }),
  ReadState: obj({ roomId: str, userId: str, seq: int, deliveredSeq: int }),
  Receipt: obj({ userId: str, deliveredSeq: int, readSeq: int }),
  ReceiptPage: page('Receipt'),
  App: obj({ id: str, name: str, allowedOrigins: { type: 'array', items: str }, createdAt: time }),
  AppWithSecret: obj({ id: str, name: str, secret: str, allowedOrigins: { type: 'array', items: str }, createdAt: time }),
  AppPage: page('App'),
  Health: obj({ status: str, checks: { type: 'object' } }, ['status']),
};
