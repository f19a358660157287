import { ERROR_STATUS, REST_ROUTES, ROUTE_KEYS, routeErrors, type RouteKey, type RouteSpec, type SchemaName } from '@confab/protocol';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { VERSION } from '../src/app.js';
import { buildOpenApi } from '../src/http/openapi.js';
import { BODY_EXAMPLES, type JsonBodyKey, SCHEMA_EXAMPLES } from '../src/http/openapi-examples.js';
import { validateInput } from '../src/services/validation.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface MediaType {
  schema?: Record<string, unknown>;
  example?: unknown;
}
interface Operation {
  summary?: string;
  description?: string;
  operationId?: string;
  'x-route'?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}
interface Document {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const PUBLIC_URL = 'https://chat.example.com';
let server: TestServer;
let doc: Document;

beforeAll(async () => {
  server = await startTestServer({ env: { PUBLIC_URL } });
  const res = await server.request<Document>('GET', '/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(() => server?.close());

const spec = (key: RouteKey): RouteSpec => REST_ROUTES[key];
function operationOf(key: RouteKey): Operation {
  const [method = '', path = ''] = key.split(' ');
  const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  if (!op) throw new Error(`${key} is not in the document`);
  return op;
}

/** OpenAPI 3.0 schema → JSON Schema: `nullable` becomes "or null", refs point into the document. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (!value || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as Record<string, unknown>;
  const out = Object.fromEntries(
    Object.entries(rest).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `doc${v}` : toJsonSchema(v)]),
  );
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/** Ajv over the document's component schemas. */
function validatorFor(document: Document): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(toJsonSchema({ components: document.components }) as object, 'doc');
  return (schema) => ajv.compile(toJsonSchema(schema) as object);
}

/** The schemas of a response: itself, or each alternative of its `oneOf`. */
const alternatives = (schema: Record<string, unknown> | undefined): Record<string, unknown>[] =>
  schema ? ((schema.oneOf as Record<string, unknown>[] | undefined) ?? [schema]) : [];

describe('the OpenAPI document', () => {
  it('has one operation per table entry, with summary, description and its table key', () => {
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    expect(operations.length).toBe(ROUTE_KEYS.length);
    const ids = new Set<string>();
    for (const key of ROUTE_KEYS) {
      const op = operationOf(key);
      expect(op['x-route']).toBe(key);
      expect(op.summary, key).toBeTruthy();
      // A few sentences, not a restated summary.
      expect(op.description?.length ?? 0, key).toBeGreaterThan(60);
      expect(op.description, key).not.toBe(op.summary);
      ids.add(String(op.operationId));
    }
    expect(ids.size).toBe(ROUTE_KEYS.length);
  });

  it('gives every request body and every JSON response an example', () => {
    const missing: string[] = [];
    for (const key of ROUTE_KEYS) {
      const op = operationOf(key);
      const entry = spec(key);
      if (entry.body?.kind === 'json' && op.requestBody?.content['application/json']?.example === undefined) missing.push(`${key} body`);
      if (entry.body && !op.requestBody) missing.push(`${key} has no requestBody`);
      for (const [status, response] of Object.entries(op.responses)) {
        const json = response.content?.['application/json'];
        if (json && json.example === undefined) missing.push(`${key} ${status}`);
      }
      if (entry.response === 'text' && op.responses['200']?.content?.['text/plain']?.example === undefined) missing.push(`${key} text`);
    }
    expect(missing).toEqual([]);
  });

  it("answers each operation with the table's response component, by name, and its success statuses", () => {
    for (const key of ROUTE_KEYS) {
      const entry = spec(key);
      const responses = operationOf(key).responses;
      for (const status of [entry.status ?? 200, ...(entry.alsoStatus ?? [])]) {
        const success = responses[String(status)];
        expect(success, `${key} ${status}`).toBeDefined();
        if (entry.response === undefined) expect(success?.content, key).toBeUndefined();
        else if (entry.response === 'binary') expect(Object.keys(success?.content ?? {}), key).toEqual(['*/*']);
        else if (entry.response !== 'text') {
          const schemas = alternatives(success?.content?.['application/json']?.schema);
          expect(schemas, key).toContainEqual({ $ref: `#/components/schemas/${entry.response}` });
        }
      }
    }
  });

  it("lists each operation's error codes from the table, under their HTTP status", () => {
    for (const key of ROUTE_KEYS) {
      const listed: string[] = [];
      for (const [status, response] of Object.entries(operationOf(key).responses)) {
        const schema = alternatives(response.content?.['application/json']?.schema).find((s) => s.allOf) as
          { allOf: unknown[] } | undefined;
        if (!schema) continue;
        const codes = (schema.allOf[1] as { properties: { error: { properties: { code: { enum: (keyof typeof ERROR_STATUS)[] } } } } })
          .properties.error.properties.code.enum;
        for (const code of codes) {
          expect(String(ERROR_STATUS[code]), `${key} ${code}`).toBe(status);
          expect(response.description, key).toContain(`\`${code}\``);
        }
        listed.push(...codes);
      }
      expect(listed.sort(), key).toEqual(routeErrors(key).sort());
    }
  });

  it('names PUBLIC_URL as its server, or this server when unset', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: PUBLIC_URL })]);
    const local = buildOpenApi(server.app.routes, { version: VERSION, publicUrl: null }) as unknown as Document;
    expect(local.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('is structurally valid OpenAPI 3.0: resolvable $refs, declared path params, unique operation ids', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    const refs = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === '$ref' && typeof v === 'string') refs.add(v);
          else collect(v);
        }
      }
    };
    collect(doc);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        expect(
          op.parameters?.filter((p) => p.in === 'path').map((p) => p.name),
          path,
        ).toEqual(names);
        expect(Object.keys(op.responses).length, path).toBeGreaterThan(1);
        for (const status of Object.keys(op.responses)) expect(status, path).toMatch(/^[1-5]\d\d$/);
      }
    }
  });

  it('has examples that match their schemas: every component example, and every body example against the joi schema', () => {
    const validator = validatorFor(doc);
    // The check can fail: a wrong type, or null where the DTO allows none.
    const message = validator({ $ref: '#/components/schemas/Message' });
    expect(message({ ...SCHEMA_EXAMPLES.Message, seq: 'forty-two' })).toBe(false);
    expect(message({ ...SCHEMA_EXAMPLES.Message, attachments: null })).toBe(false);
    expect(message({ ...SCHEMA_EXAMPLES.Message, sender: null, editedAt: null })).toBe(true);
    for (const name of Object.keys(SCHEMA_EXAMPLES) as SchemaName[]) {
      const validate = validator({ $ref: `#/components/schemas/${name}` });
      expect(validate(SCHEMA_EXAMPLES[name]) ? [] : validate.errors, name).toEqual([]);
    }
    // And every example the operations show (success and errors) against its response schema.
    for (const key of ROUTE_KEYS) {
      for (const [status, response] of Object.entries(operationOf(key).responses)) {
        const json = response.content?.['application/json'];
        if (!json) continue;
        const validate = validator(json.schema);
        expect(validate(json.example) ? [] : validate.errors, `${key} ${status}`).toEqual([]);
      }
    }
    for (const def of server.app.routes) {
      if (!def.body) continue;
      const example = BODY_EXAMPLES[def.key as JsonBodyKey];
      expect(() => validateInput(def.body!, example, 'body'), def.key).not.toThrow();
      const validate = validator(operationOf(def.key).requestBody?.content['application/json']?.schema);
      expect(validate(example) ? [] : validate.errors, def.key).toEqual([]);
    }
  });

  it('describes what the server really answers: real replies validate against their response schemas', async () => {
    const validator = validatorFor(doc);
    const check = (key: RouteKey, res: { status: number; body: unknown }) => {
      const schema = operationOf(key).responses[String(res.status)]?.content?.['application/json']?.schema;
      expect(schema, `${key} ${res.status}`).toBeDefined();
      const validate = validator(schema);
      expect(validate(res.body) ? [] : validate.errors, `${key} ${res.status}`).toEqual([]);
    };
    const tenant = await server.createTenant();
    const ana = await server.member(tenant, 'ana');
    const bob = await server.member(tenant, 'bob');
    const token = ana.accessToken;
    check('GET /v1/me', await server.request('GET', '/v1/me', { token }));
    const room = await server.request<{ id: string }>('POST', '/v1/rooms', { token, body: { name: 'Checked', memberIds: [bob.user.id] } });
    check('POST /v1/rooms', room);
    const roomId = room.body.id;
    const body = { clientId: `c-${roomId}`, text: 'Hello' };
    const sent = await server.request<{ id: string }>('POST', `/v1/rooms/${roomId}/messages`, { token, body });
    check('POST /v1/rooms/:id/messages', sent);
    check('POST /v1/rooms/:id/messages', await server.request('POST', `/v1/rooms/${roomId}/messages`, { token, body }));
    const reacted = await server.request('PUT', `/v1/messages/${sent.body.id}/reactions/${encodeURIComponent('👍')}`, { token });
    check('PUT /v1/messages/:id/reactions/:emoji', reacted);
    check('GET /v1/rooms/:id/messages', await server.request('GET', `/v1/rooms/${roomId}/messages`, { token }));
    check('GET /v1/rooms', await server.request('GET', '/v1/rooms', { token }));
    check('GET /v1/rooms/:id/members', await server.request('GET', `/v1/rooms/${roomId}/members`, { token }));
    check('POST /v1/rooms/direct', await server.request('POST', '/v1/rooms/direct', { token, body: { userId: bob.user.id } }));
    check('POST /v1/rooms/:id/read', await server.request('POST', `/v1/rooms/${roomId}/read`, { token, body: { seq: 1 } }));
    check('GET /v1/rooms/:id/receipts', await server.request('GET', `/v1/rooms/${roomId}/receipts`, { token }));
    const guest = await server.request('POST', '/v1/auth/guest', { app: tenant.id, body: { name: 'Sam' } });
    check('POST /v1/auth/guest', guest);
    const visitor = (guest.body as { accessToken: string }).accessToken;
    const started = await server.request('POST', '/v1/support/conversations', {
      token: visitor,
      body: { text: 'Do you ship to Portugal?', clientId: `s-${roomId}`, visitor: { locale: 'pt-PT' } },
    });
    check('POST /v1/support/conversations', started);
    check('GET /v1/support/settings', await server.request('GET', '/v1/support/settings', { app: tenant.id }));
    check('GET /readyz', await server.request('GET', '/readyz'));
    // Errors too: their shape and a code the operation lists.
    check('GET /v1/rooms/:id', await server.request('GET', `/v1/rooms/${crypto.randomUUID()}`, { token }));
    check('GET /v1/users', await server.request('GET', '/v1/users', { token: visitor }));
    check('POST /v1/rooms', await server.request('POST', '/v1/rooms', { token, body: { name: '' } }));
  });
});
