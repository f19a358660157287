import type Joi from 'joi';
import type { ErrorDetail } from '@confab/protocol';
import { ValidationError } from '../errors.js';

const JOI_OPTIONS: Joi.ValidationOptions = { abortEarly: false, stripUnknown: true, convert: true };
const MAX_DEPTH = 32;

/** Paths of strings holding U+0000, which PostgreSQL cannot store in text or jsonb. */
function nulPaths(value: unknown, path: string, out: string[], depth = 0): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push(path);
  } else if (value && typeof value === 'object' && depth < MAX_DEPTH) {
    for (const [key, item] of Object.entries(value)) nulPaths(item, `${path}.${key}`, out, depth + 1);
  }
}

/**
 * Validates one input (a body, a query, a socket payload) against its joi schema; REST routes and
 * socket handlers both come through here, so both answer bad input the same way.
 */
export function validateInput<T>(schema: Joi.Schema, value: unknown, where: string): T {
  const { value: out, error } = schema.validate(value ?? {}, JOI_OPTIONS);
  const details: ErrorDetail[] = error
    ? error.details.map((d) => ({ path: [where, ...d.path].join('.'), message: d.message.replace(/"/g, '') }))
    : [];
  const nul: string[] = [];
  nulPaths(out ?? value, where, nul);
  for (const path of nul) details.push({ path, message: `${path.slice(where.length + 1) || where} must not contain the NUL character` });
  if (!details.length) return out as T;
  throw new ValidationError(details.length === 1 ? details[0].message : 'The request has invalid fields', details);
}
