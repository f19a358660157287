import { ERROR_STATUS } from '@confab/protocol';
import type Joi from 'joi';

import { COMPONENT_SCHEMAS } from './openapi-components.js';
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
      if (d.items?.length) out.items = joiToJsonSchema(d.items[0]);
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
    } else if (STRING_FORMATS[rule.name]) {
      out.format = STRING_FORMATS[rule.name];
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
  for (const name of [...def.path.matchAll(/:(\w+)/g)].map((m) => m[1])) {
    params.push({
      name,
      in: 'path',
      required: true,
      schema: inPath?.keys?.[name] ? joiToJsonSchema(inPath.keys[name]) : { type: 'string' },
    });
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

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(def: RouteDef): JsonSchema {
  const status = String(def.status ?? 200);
  const success =
    status === '204'
      ? { description: 'Done' }
      : def.binary
        ? { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
        : {
            description: 'Success',
            content: def.response
              ? { 'application/json': { schema: { $ref: `#/components/schemas/${def.response}` } } }
              : { 'application/json': { schema: { type: 'object' } } },
          };
  const op: JsonSchema = {
    tags: [def.tag],
    summary: def.summary,
    operationId: `${def.method}${def.path.replace(/[/:{}-](\w)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    parameters: parameters(def),
    responses: {
      [status]: success,
      '4XX': errorResponse('Error: see the code list in the Error schema'),
      '500': errorResponse('internal'),
    },
  };
  if (def.auth === 'user') op.security = [{ bearer: [] }];
  if (def.auth === 'admin') op.security = [{ admin: [] }];
  if (def.auth === 'app') op.security = [{}, { bearer: [] }];
  const body = describe(def.body);
  if (body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: joiToJsonSchema(body) } } };
  }
  if (def.multipart) {
    const file = { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] };
    op.requestBody = { required: true, content: { 'multipart/form-data': { schema: file } } };
  }
  return op;
}

/** The OpenAPI 3 document of every route the server mounts, built from the same definitions. */
export function buildOpenApi(routes: RouteDef[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const def of routes) {
    const path = def.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][def.method] = operation(def);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Confab API',
      version,
      description:
        'Self-hosted chat. Errors are `{ error: { code, message, details? } }` with codes: ' +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `\`${code}\` ${status}`)
          .join(', ') +
        '.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        admin: { type: 'http', scheme: 'bearer', description: 'The operator ADMIN_TOKEN' },
      },
      schemas: COMPONENT_SCHEMAS,
    },
  };
}
