import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import type { ClientToServerEvents, RoomJoinResult, ServerToClientEvents } from '@confab/protocol';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import type { AsyncApiDocument, AsyncApiMessage } from '../src/http/asyncapi.js';
import { CLIENT_EVENTS, SERVER_EVENTS } from '../src/http/asyncapi-events.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { connect, request, waitFor } from './helpers/sockets.js';

let server: TestServer;
let doc: AsyncApiDocument;

beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/v1/asyncapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = (await res.json()) as AsyncApiDocument;
});

afterAll(() => server?.close());

/** The messages of every operation of one action, by Socket.IO event name. */
function messagesOf(action: 'send' | 'receive'): Map<string, { message: AsyncApiMessage; ack?: AsyncApiMessage }> {
  const byRef = (ref: { $ref: string } | undefined) => {
    const id = ref?.$ref.split('/').pop() ?? '';
    return doc.components.messages[id];
  };
  const out = new Map<string, { message: AsyncApiMessage; ack?: AsyncApiMessage }>();
  for (const operation of Object.values(doc.operations).filter((op) => op.action === action)) {
    const message = byRef(operation.messages[0]);
    if (!message) throw new Error(`${operation.title}: no message`);
    out.set(message.name, { message, ack: byRef(operation.reply?.messages[0]) });
  }
  return out;
}

/** A validator of one message payload, resolving the document's `#/components/schemas/…` references. */
function validator(message: AsyncApiMessage) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile({ ...message.payload, components: { schemas: doc.components.schemas } });
  return (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

describe('GET /v1/asyncapi.json', () => {
  it('is an AsyncAPI 3.0 document that the AsyncAPI parser reads without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.operations().length).toBe(Object.keys(CLIENT_EVENTS).length + Object.keys(SERVER_EVENTS).length);
    // Every reply is a message the channel carries (the parser resolved every reference).
    const [channel] = document?.channels().all() ?? [];
    expect(channel?.messages().length).toBe(2 * Object.keys(CLIENT_EVENTS).length + Object.keys(SERVER_EVENTS).length);
  });

  it('lists exactly the events of the protocol maps, in both directions', () => {
    // The metadata is typed by the maps (a missing or unknown event does not compile); this holds the types to it.
    expectTypeOf<keyof typeof CLIENT_EVENTS>().toEqualTypeOf<keyof ClientToServerEvents>();
    expectTypeOf<keyof typeof SERVER_EVENTS>().toEqualTypeOf<keyof ServerToClientEvents>();
    const received = messagesOf('receive');
    const sent = messagesOf('send');
    expect([...received.keys()].sort()).toEqual(Object.keys(CLIENT_EVENTS).sort());
    expect([...sent.keys()].sort()).toEqual(Object.keys(SERVER_EVENTS).sort());
    for (const event of ['room:join', 'message:send', 'auth:refresh', 'typing']) expect(received.has(event), event).toBe(true);
    for (const event of ['message:created', 'room:sync', 'server:shutdown', 'auth:expired', 'typing'])
      expect(sent.has(event), event).toBe(true);
    for (const [event, { ack }] of received) expect(ack, `${event} has an ack`).toBeDefined();
  });

  it('takes client payload schemas from the joi schemas the handlers validate with', () => {
    const join = messagesOf('receive').get('room:join')?.message.payload;
    expect(join).toMatchObject({
      type: 'object',
      properties: { roomId: { type: 'string', format: 'uuid' }, since: { type: 'integer', minimum: 0 } },
      required: ['roomId'],
    });
    const send = messagesOf('receive').get('message:send')?.message.payload;
    expect(send).toMatchObject({ properties: { clientId: { maxLength: 64 }, text: { maxLength: 4000 } } });
    expect(send?.required).toEqual(expect.arrayContaining(['roomId', 'clientId']));
  });

  it('describes the handshake and the delivery rules', () => {
    const server0 = Object.values(doc.servers)[0];
    expect(server0).toMatchObject({ host: new URL(server.url).host, protocol: 'ws', pathname: '/socket.io/' });
    const text = doc.info.description;
    for (const rule of ['auth: { token }', '?app=', 'connect_error', 'since', 'clientId', 'room:sync', 'server:shutdown', 'seq']) {
      expect(text, rule).toContain(rule);
    }
  });

  it('has examples that match their own schemas', () => {
    const problems: string[] = [];
    for (const message of Object.values(doc.components.messages)) {
      const check = validator(message);
      for (const example of message.examples) problems.push(...check(example.payload).map((p) => `${message.name} ${example.name}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('describes what a real server answers and sends: acks, failures and events match their schemas', async () => {
    const tenant = await server.createTenant();
    const ana = await server.member(tenant, 'ana', { name: 'Ana' });
    const created = await server.request('POST', '/v1/rooms', { token: ana.accessToken, body: { name: 'Docs', kind: 'group' } });
    expect(created.status).toBe(201);
    const roomId = (created.body as { id: string }).id;
    const socket = await connect(server, ana);
    try {
      const received = messagesOf('receive');
      const sent = messagesOf('send');
      const ackOf = (event: string) => {
        const ack = received.get(event)?.ack;
        if (!ack) throw new Error(`${event}: no ack in the document`);
        return ack;
      };
      const errorCodes = (event: string) => {
        const failure = (ackOf(event).payload.oneOf as { properties: { error: { properties: { code: { enum: string[] } } } } }[])[1];
        return failure?.properties.error.properties.code.enum ?? [];
      };

      const joined = await request<RoomJoinResult>(socket, 'room:join', { roomId });
      expect(validator(ackOf('room:join'))(joined)).toEqual([]);
      expect(joined.data).toBeDefined();
      // The check can fail: a room that is not a Room, or data and error together, is refused.
      expect(validator(ackOf('room:join'))({ data: { ...joined.data, room: { id: 1 } } })).not.toEqual([]);
      expect(validator(ackOf('room:join'))({ ...joined, error: { code: 'internal', message: 'x' } })).not.toEqual([]);

      const live = waitFor(socket, 'message:created');
      const sentAck = await request(socket, 'message:send', { roomId, clientId: 'docs-1', text: 'Hello' });
      expect(validator(ackOf('message:send'))(sentAck)).toEqual([]);
      const event = sent.get('message:created')?.message;
      expect(event && validator(event)(await live)).toEqual([]);

      const typing = await request(socket, 'typing', { roomId, typing: true });
      expect(validator(ackOf('typing'))(typing)).toEqual([]);

      // Failures: the shape, and a code the document lists for that event.
      const missing = await request(socket, 'room:join', { roomId: '00000000-0000-4000-8000-000000000000' });
      const invalid = await request(socket, 'message:send', { roomId, clientId: '' });
      for (const [name, ack] of [
        ['room:join', missing],
        ['message:send', invalid],
      ] as const) {
        expect(ack.error, name).toBeDefined();
        expect(validator(ackOf(name))(ack), name).toEqual([]);
        expect(errorCodes(name), name).toContain(ack.error?.code);
      }
    } finally {
      socket.close();
    }
  });
});

describe('with PUBLIC_URL', () => {
  it('names the public server, over wss for https', async () => {
    const pub = await startTestServer({ env: { PUBLIC_URL: 'https://chat.example.com' } });
    try {
      const body = (await (await fetch(`${pub.url}/v1/asyncapi.json`)).json()) as AsyncApiDocument;
      expect(Object.values(body.servers)).toEqual([
        expect.objectContaining({ host: 'chat.example.com', protocol: 'wss', pathname: '/socket.io/' }),
      ]);
    } finally {
      await pub.close();
    }
  });
});
