import type { SchemaName } from '@confab/protocol';

// The small pieces every component schema is made of (openapi-components*.ts).
export const str = { type: 'string' };
export const nstr = { type: 'string', nullable: true };
export const time = { type: 'string', format: 'date-time' };
export const ntime = { ...time, nullable: true };
export const int = { type: 'integer' };
export const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
// OpenAPI 3.0 ignores siblings of a $ref, so a nullable reference wraps it.
export const nullableRef = (name: SchemaName) => ({ allOf: [ref(name)], nullable: true });
export const obj = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', properties, required });
export const page = (item: SchemaName) =>
  obj({ items: { type: 'array', items: ref(item) }, hasMore: { type: 'boolean' }, nextCursor: str }, ['items', 'hasMore']);
