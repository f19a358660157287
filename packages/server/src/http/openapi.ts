import { ERROR_STATUS, type ErrorCode, routeErrors, type RouteKey, type SchemaName } from '@confab/protocol';
import type Joi from 'joi';

import { COMPONENT_SCHEMAS } from './openapi-components.js';
import { BODY_EXAMPLES, ERROR_EXAMPLES, METRICS_EXAMPLE, SCHEMA_EXAMPLES } from './openapi-examples.js';
import type { RouteDef } from './route.js';

type JsonSchema = Record<string, unknown>;

interface JoiDescription {
  type: string;
  flags?: { presence?: string; default?: unknown; only?: boolean; description?: string };
  rules?: { name: string; args?: { limit?: number; regex?: string } }[];
  allow?: unknown[];
  keys?: Record<string, JoiDescription>;
  items?: JoiDescription[];
}

const STRING_FORMATS: Record<string, string> = { email: 'email', guid: 'uuid', uri: 'uri', isoDate: 'date-time' };

/** JSON Schema for the subset of joi the API's schemas use. */
export function joiToJsonSchema(d: JoiDescription): JsonSchema {
  const out: JsonSchema = {};
  const allow = d.allow ?? [];
  const values = allow.filter((v) => v !== null && v !== '');
  if (d.flags?.only && values.length) out.enum = values;
  switch (d.type) {
    case 'string':
      out.type = 'string';
      break;
    case 'number':
      out.type = d.rules?.some((r) => r.name === 'integer') ? 'integer' : 'number';
      break;
    case 'boolean':
      out.type = 'boolean';
      break;
    case 'array':
      out.type = 'array';
      if (d.items?.[0]) out.items = joiToJsonSchema(d.items[0]);
      break;
    case 'object': {
      out.type = 'object';
      if (d.keys) {
        out.properties = Object.fromEntries(Object.entries(d.keys).map(([k, v]) => [k, joiToJsonSchema(v)]));
        const required = Object.entries(d.keys)
          .filter(([, v]) => v.flags?.presence === 'required')
          .map(([k]) => k);
        if (required.length) out.required = required;
      }
      break;
    }
    default:
      break;
  }
  for (const rule of d.rules ?? []) {
    const limit = rule.args?.limit;
    if (rule.name === 'min' && limit !== undefined) {
      out[d.type === 'string' ? 'minLength' : d.type === 'array' ? 'minItems' : d.type === 'object' ? 'minProperties' : 'minimum'] = limit;
    } else if (rule.name === 'max' && limit !== undefined) {
      out[d.type === 'string' ? 'maxLength' : d.type === 'array' ? 'maxItems' : d.type === 'object' ? 'maxProperties' : 'maximum'] = limit;
    } else if (rule.name === 'pattern' && rule.args?.regex) {
      out.pattern = rule.args.regex.replace(/^\/(.*)\/[a-z]*$/, '$1');
    } else {
      const format = STRING_FORMATS[rule.name];
      if (format) out.format = format;
    }
  }
  if (d.flags?.default !== undefined && typeof d.flags.default !== 'function') out.default = d.flags.default;
  if (allow.includes(null)) out.nullable = true;
  return out;
}

function describe(schema: Joi.Schema | undefined): JoiDescription | null {
  return schema ? (schema.describe() as JoiDescription) : null;
}

function parameters(def: RouteDef): JsonSchema[] {
  const params: JsonSchema[] = [];
  const inPath = describe(def.params);
  for (const [, name] of def.path.matchAll(/:(\w+)/g)) {
    if (!name) continue;
    const key = inPath?.keys?.[name];
    params.push({ name, in: 'path', required: true, schema: key ? joiToJsonSchema(key) : { type: 'string' } });
  }
  const query = describe(def.query);
  for (const [name, d] of Object.entries(query?.keys ?? {})) {
    params.push({ name, in: 'query', required: d.flags?.presence === 'required', schema: joiToJsonSchema(d) });
  }
  if (def.auth === 'app') {
    params.push({ name: 'X-Confab-App', in: 'header', required: true, schema: { type: 'string' }, description: 'The app id' });
  }
  return params;
}

/** What each code means in general; an operation's description says when it answers one. */
const ERROR_MEANING: Record<ErrorCode, string> = {
  bad_request: 'the request is malformed (body not parseable, `X-Confab-App` missing)',
  unauthorized: 'no valid credentials',
  token_expired: 'the access token (or a signed link) expired: refresh it, or ask for a new link, and retry',
  forbidden: 'the caller may not do this',
  origin_not_allowed: "the page's origin is not allowed for the app",
  not_found: 'it does not exist, or the caller may not know it does',
  conflict: 'it clashes with the current state',
  payload_too_large: 'the body is over the limit',
  unsupported_media_type: 'the body has the wrong content type',
  range_not_satisfiable: 'the `Range` asked for starts past the end of the file (`Content-Range: bytes */<size>` says its size)',
  validation_failed: 'a field is invalid; `details` lists each one with its path',
  rate_limited: 'too many requests; `details.retryAfterMs` says when to retry',
  internal: 'a server error (logged with the request id)',
  unavailable: 'a dependency is down or the node is draining; retry shortly',
};

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** The operation's error responses, one per status, each naming its codes. */
function errorResponses(def: RouteDef): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrors(def.key)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: Record<string, JsonSchema> = {};
  for (const [status, codes] of byStatus) {
    const first = codes[0] ?? 'internal';
    out[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${ERROR_MEANING[code]}`).join('; '),
      content: {
        'application/json': {
          schema: {
            allOf: [
              ref('Error'),
              { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: codes } } } } },
            ],
          },
          example: { error: ERROR_EXAMPLES[first] },
        },
      },
    };
  }
  return out;
}

function successResponse(def: RouteDef): JsonSchema {
  const { response } = def.spec;
  if (response === undefined) return { description: 'Done: no content' };
  if (response === 'binary') {
    return { description: 'The file, with its own content type', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
  }
  if (response === 'text')
    return { description: 'Plain text', content: { 'text/plain': { schema: { type: 'string' }, example: METRICS_EXAMPLE } } };
  return {
    description: `Success: ${response}`,
    content: { 'application/json': { schema: ref(response), example: SCHEMA_EXAMPLES[response] } },
  };
}

type Response = { description: string; content?: Record<string, { schema: JsonSchema; example?: unknown }> };

function eitherResponse(success: JsonSchema, error: JsonSchema): JsonSchema {
  const [ok, failed] = [success as Response, error as Response];
  const okJson = ok.content?.['application/json'];
  const failedJson = failed.content?.['application/json'];
  if (!okJson || !failedJson) return success;
  return {
    description: `${ok.description}, or an error: ${failed.description}`,
    content: { 'application/json': { schema: { oneOf: [okJson.schema, failedJson.schema] }, example: okJson.example } },
  };
}

function operationId(def: RouteDef): string {
  return `${def.method}${def.path.replace(/[/:{}-](\w)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
}

function operation(def: RouteDef): JsonSchema {
  const success = successResponse(def);
  const responses: Record<string, JsonSchema> = errorResponses(def);
  for (const status of [def.status, ...(def.spec.alsoStatus ?? [])].map(String)) {
    const error = responses[status];
    // `/readyz` answers 503 with its checks, and the error middleware may too: either shape.
    responses[status] = error ? eitherResponse(success, error) : success;
  }
  const op: JsonSchema = {
    tags: [def.tag],
    summary: def.summary,
    description: def.description,
    operationId: operationId(def),
    parameters: parameters(def),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    'x-route': def.key,
  };
  if (def.auth === 'user') op.security = [{ bearer: [] }];
  if (def.auth === 'admin') op.security = [{ admin: [] }];
  if (def.auth === 'app') op.security = [{}, { bearer: [] }];
  // A signed link's `exp` and `sig` are query parameters (listed above); or the bearer token.
  if (def.auth === 'link') op.security = [{}, { bearer: [] }];
  if (def.auth === 'inbound') op.security = [{ inbound: [] }];
  const body = describe(def.body);
  if (body) {
    const example = (BODY_EXAMPLES as Partial<Record<RouteKey, unknown>>)[def.key];
    op.requestBody = { required: true, content: { 'application/json': { schema: joiToJsonSchema(body), example } } };
  }
  if (def.multipart) {
    const file = { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] };
    op.requestBody = { required: true, content: { 'multipart/form-data': { schema: file } } };
  }
  if (def.raw && def.spec.body?.kind === 'raw') {
    op.requestBody = { required: true, content: { [def.spec.body.contentType]: { schema: { type: 'string', format: 'binary' } } } };
  }
  return op;
}

const TAGS: Record<string, string> = {
  auth: 'Sessions: sign-up, sign-in, visitors, single sign-on through host tokens, refresh and logout',
  users: 'Your profile and the people of your app',
  rooms: 'Group, public and direct rooms and their members',
  messages: 'History, sending, edits, reactions and read receipts (each also over the socket)',
  support: "Support conversations, the agents' inbox, availability and saved replies",
  uploads: 'Files sent with messages',
  mail: 'Email: transcripts, unread replies mailed to visitors who left, agent notifications, replies by email, unsubscribing',
  admin: 'The operator API: apps (tenants), their origins, settings and webhooks',
  operations: 'Health, readiness and metrics for orchestrators and monitoring',
};

export interface OpenApiOptions {
  version: string;
  /** Where clients reach the API (`PUBLIC_URL`); the document's own origin when unset. */
  publicUrl?: string | null;
}

/** The OpenAPI 3 document of every route the server mounts, built from the same definitions. */
export function buildOpenApi(routes: RouteDef[], { version, publicUrl }: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const def of routes) {
    const path = def.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [def.method]: operation(def) };
  }
  const schemas = Object.fromEntries(
    Object.entries(COMPONENT_SCHEMAS).map(([name, schema]) => [name, { ...schema, example: SCHEMA_EXAMPLES[name as SchemaName] }]),
  );
  return {
    openapi: '3.0.3',
    info: {
      title: 'Confab API',
      version,
      description:
        'Self-hosted chat: rooms, messages, support conversations and their admin. Realtime events go over Socket.IO ' +
        '(described by `/v1/asyncapi.json`); message sends, edits, reactions and receipts work over both. Errors are ' +
        '`{ error: { code, message, details? } }`; each operation lists the codes it may answer. All codes: ' +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `\`${code}\` ${status}`)
          .join(', ') +
        '.',
    },
    tags: [...new Set(routes.map((def) => def.tag))].map((name) => ({ name, description: TAGS[name] ?? name })),
    servers: [publicUrl ? { url: publicUrl.replace(/\/+$/, ''), description: 'PUBLIC_URL' } : { url: '/', description: 'This server' }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        admin: { type: 'http', scheme: 'bearer', description: 'The operator ADMIN_TOKEN' },
        inbound: { type: 'http', scheme: 'basic', description: "The app id as username, the app's inbound secret as password" },
      },
      schemas,
    },
  };
}
