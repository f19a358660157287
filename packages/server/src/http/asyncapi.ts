import { type ErrorCode, LIMITS } from '@confab/protocol';

import { EVENT_SCHEMAS } from '../realtime/schemas.js';
import { ACK_ERRORS, CLIENT_EVENTS, type JsonSchema, SERVER_EVENTS, SOCKET_SCHEMAS } from './asyncapi-events.js';
import { joiToJsonSchema } from './openapi.js';
import { COMPONENT_SCHEMAS } from './openapi-components.js';

type Ref = { $ref: string };

export interface AsyncApiMessage {
  /** The Socket.IO event name. */
  name: string;
  title: string;
  summary: string;
  description?: string;
  payload: JsonSchema;
  examples: { name: string; payload: unknown }[];
}

export interface AsyncApiOperation {
  /** The document describes the server: it receives client events and sends server events. */
  action: 'send' | 'receive';
  title: string;
  summary: string;
  description?: string;
  channel: Ref;
  messages: Ref[];
  reply?: { channel: Ref; messages: Ref[] };
}

export interface AsyncApiServer {
  host: string;
  protocol: 'ws' | 'wss';
  pathname: string;
  title: string;
  description: string;
  security: Ref[];
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, AsyncApiServer>;
  channels: Record<string, { address: string; title: string; description: string; messages: Record<string, Ref>; bindings: JsonSchema }>;
  operations: Record<string, AsyncApiOperation>;
  components: {
    messages: Record<string, AsyncApiMessage>;
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

/** The Socket.IO path (the server keeps the default). */
export const SOCKET_PATH = '/socket.io/';
const CHANNEL = 'socket';
const channelRef = { $ref: `#/channels/${CHANNEL}` };

const DESCRIPTION = `Confab's realtime API: [Socket.IO](https://socket.io/) 4 on the same HTTP server as the REST API.
Every event below is a Socket.IO event on the default namespace. Client events take one JSON payload and an
acknowledgement callback, which is called exactly once with \`{ "data": … }\` or \`{ "error": { "code", "message", "details"? } }\`.
The SDK, [@confab/sdk](https://www.npmjs.com/package/@confab/sdk), does all of this for you.

## Connecting
- Connect to the server's origin with path \`${SOCKET_PATH}\` (polling first, then an upgrade to WebSocket; or WebSocket alone).
- \`auth: { token }\`: an access token from \`POST /v1/auth/guest\`, \`/login\`, \`/register\` or \`/exchange\`
  (a token your backend signed).
- \`?app=APP_ID\` in the handshake query (\`io(url, { query: { app } })\`): a browser on another site must come from
  an origin the app allows.
- A refused handshake arrives as \`connect_error\` with \`err.data.code\`: \`unauthorized\` (no or bad token), \`token_expired\`,
  \`forbidden\` (a token of another app), \`rate_limited\` (more than ${LIMITS.socketsPerUserMax} sockets for one user), \`unavailable\`
  (the node is shutting down or the database is down: retry with backoff). An origin the app does not allow is refused before Socket.IO,
  with HTTP 403 \`{"code":4,"message":"origin_not_allowed"}\`.
- Payloads are at most ${LIMITS.socketPayloadBytesMax} bytes; a larger one closes the connection.

## Delivery
- \`seq\` numbers a room's messages without gaps. A jump in the seqs you receive means you missed one: fetch
  \`GET /v1/rooms/{id}/messages?after=<last seq you hold>\`.
- After every (re)connect, send \`room:join\` with \`since\` = the last seq you hold without a gap: the answer brings every message after
  it and those changed since (at most ${LIMITS.catchUpMax}; \`hasMore\` says to page on with \`after\`).
- Each message carries a \`version\` that grows with every change (edit, delete, reaction): the copy with the higher version wins.
- \`message:send\` is idempotent by \`clientId\` (per sender): a retry answers with the stored message instead of sending twice.
- \`room:sync { roomId, lastSeq, version }\` says this node may have missed telling you about changes: if you hold less, catch up.
- \`room:receipts\` carries the delivered and read watermarks every member reached; send \`room:delivered\` and \`room:read\` to move yours.
- \`server:shutdown { reconnectInMs }\` comes right before a stopping node disconnects: reconnect within that time (to another node).
- \`auth:expired\` comes right before the socket is closed for its expired token: send \`auth:refresh\` before then to keep it.`;

/** Socket.IO event name → an id usable as a component key (`room:join` → `RoomJoin`). */
function pascal(event: string): string {
  return event
    .split(/[:-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** OpenAPI 3.0's `nullable` (which openapi-components and joiToJsonSchema speak) as JSON Schema draft 7. */
export function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!value || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as JsonSchema;
  const out = Object.fromEntries(Object.entries(rest).map(([key, item]) => [key, toJsonSchema(item)]));
  if (nullable !== true) return out;
  if (typeof out.$ref === 'string') {
    const { $ref, ...siblings } = out;
    return { ...siblings, oneOf: [{ $ref }, { type: 'null' }] };
  }
  if (typeof out.type === 'string') {
    return { ...out, type: [out.type, 'null'], ...(Array.isArray(out.enum) ? { enum: [...(out.enum as unknown[]), null] } : {}) };
  }
  return { anyOf: [out, { type: 'null' }] };
}

function refsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') into.add(item.replace('#/components/schemas/', ''));
      else refsIn(item, into);
    }
  }
  return into;
}

/** Every schema the messages reference, directly or through other schemas. */
function usedSchemas(messages: Record<string, AsyncApiMessage>): Record<string, JsonSchema> {
  const error = COMPONENT_SCHEMAS.Error as { properties: { error: JsonSchema } };
  const all: Record<string, unknown> = { ...COMPONENT_SCHEMAS, ErrorBody: error.properties.error, ...SOCKET_SCHEMAS };
  const used = new Map<string, JsonSchema>();
  const pending = [...refsIn(Object.values(messages), new Set())];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (used.has(name)) continue;
    const schema = all[name];
    if (!schema) throw new Error(`The AsyncAPI document references an unknown schema: ${name}`);
    const converted = toJsonSchema(schema) as JsonSchema;
    used.set(name, converted);
    pending.push(...refsIn(converted, new Set()));
  }
  return Object.fromEntries([...used].sort(([a], [b]) => a.localeCompare(b)));
}

function ackPayload(data: JsonSchema, codes: readonly ErrorCode[]): JsonSchema {
  const error = COMPONENT_SCHEMAS.Error as { properties: { error: { properties: JsonSchema } } };
  const { properties } = error.properties.error;
  return {
    oneOf: [
      { type: 'object', title: 'Success', properties: { data }, required: ['data'] },
      {
        type: 'object',
        title: 'Failure',
        properties: {
          error: {
            type: 'object',
            properties: { ...properties, code: { type: 'string', enum: [...codes] } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    ],
  };
}

/**
 * The AsyncAPI 3 document of the Socket.IO protocol, built from the event metadata (typed by the
 * protocol's event maps), the joi schemas the handlers validate with and the DTO schemas of the OpenAPI document.
 * `servers` is left empty: `withServer` adds the one clients reach.
 */
export function buildAsyncApi(version: string): AsyncApiDocument {
  const messages: Record<string, AsyncApiMessage> = {};
  const operations: Record<string, AsyncApiOperation> = {};
  const messageRef = (id: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${id}` });

  for (const [event, doc] of Object.entries(CLIENT_EVENTS)) {
    const id = `client${pascal(event)}`;
    const codes = [...new Set([...doc.errors, ...ACK_ERRORS])];
    const described = EVENT_SCHEMAS[event as keyof typeof EVENT_SCHEMAS].describe() as Parameters<typeof joiToJsonSchema>[0];
    const payload = toJsonSchema(joiToJsonSchema(described)) as JsonSchema;
    messages[id] = {
      name: event,
      title: event,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      payload,
      examples: [{ name: 'payload', payload: doc.example }],
    };
    const [firstCode = 'internal'] = codes;
    messages[`${id}Ack`] = {
      name: `${event} ack`,
      title: `${event} acknowledgement`,
      summary: `The answer to ${event}: data, or an error with one of its codes`,
      payload: ackPayload(toJsonSchema(doc.ack) as JsonSchema, codes),
      examples: [
        { name: 'success', payload: { data: doc.ackExample } },
        { name: 'failure', payload: { error: { code: firstCode, message: 'What went wrong, in English' } } },
      ],
    };
    operations[`receive${pascal(event)}`] = {
      action: 'receive',
      title: event,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      channel: channelRef,
      messages: [messageRef(id)],
      reply: { channel: channelRef, messages: [messageRef(`${id}Ack`)] },
    };
  }
  for (const [event, doc] of Object.entries(SERVER_EVENTS)) {
    const id = `server${pascal(event)}`;
    const description = [doc.description, `Sent to ${doc.to.charAt(0).toLowerCase()}${doc.to.slice(1)}.`].filter(Boolean).join('\n\n');
    messages[id] = {
      name: event,
      title: event,
      summary: doc.summary,
      description,
      payload: toJsonSchema(doc.payload) as JsonSchema,
      examples: [{ name: 'payload', payload: doc.example }],
    };
    operations[`send${pascal(event)}`] = {
      action: 'send',
      title: event,
      summary: doc.summary,
      description,
      channel: channelRef,
      messages: [messageRef(id)],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: { title: 'Confab realtime API', version, description: DESCRIPTION },
    defaultContentType: 'application/json',
    servers: {},
    channels: {
      [CHANNEL]: {
        address: '/',
        title: 'Socket.IO default namespace',
        description: 'One connection per client; rooms are joined with `room:join`, not with channels.',
        messages: Object.fromEntries(Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }])),
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                app: { type: 'string', description: 'The app id; a browser on another site must come from an origin the app allows' },
                EIO: { type: 'string', const: '4', description: 'Engine.IO protocol version (socket.io-client sets it)' },
                transport: { type: 'string', enum: ['polling', 'websocket'] },
              },
              required: ['EIO', 'transport'],
            },
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations,
    components: {
      messages,
      schemas: usedSchemas(messages),
      securitySchemes: {
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token, sent in the Socket.IO handshake as `auth: { token }` (not as a header).',
        },
      },
    },
  };
}

/** The document with the server clients reach at `origin` (PUBLIC_URL, or the request's own). */
export function withServer(doc: AsyncApiDocument, origin: string): AsyncApiDocument {
  const url = new URL(origin);
  const server: AsyncApiServer = {
    host: url.host,
    protocol: url.protocol === 'https:' ? 'wss' : 'ws',
    pathname: SOCKET_PATH,
    title: 'Confab',
    description: `Socket.IO 4 at ${url.origin}, path \`${SOCKET_PATH}\` (HTTP long-polling first, then WebSocket).`,
    security: [{ $ref: '#/components/securitySchemes/accessToken' }],
  };
  return { ...doc, servers: { confab: server } };
}
