import { type ErrorDetail, LIMITS } from '@confab/protocol';
import type Joi from 'joi';

import { ValidationError } from '../errors.js';

const JOI_OPTIONS: Joi.ValidationOptions = { abortEarly: false, stripUnknown: true, convert: true };
const MAX_DEPTH = LIMITS.jsonDepthMax;

/**
 * Whether `value` nests objects and arrays more than `max` levels deep (the value itself is
 * level 1). Stops at the limit, so a hostile input costs at most `max` frames of stack.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (!value || typeof value !== 'object') return false;
  if (max < 1) return true;
  for (const item of Object.values(value)) if (nestedDeeperThan(item, max - 1)) return true;
  return false;
}

/** The first top-level field under which `value` nests past the limit, named for the error. */
function tooDeep(value: unknown, where: string): ErrorDetail | null {
  if (!nestedDeeperThan(value, MAX_DEPTH)) return null;
  const field = Object.entries(value as object).find(([, item]) => nestedDeeperThan(item, MAX_DEPTH - 1))?.[0];
  const path = field === undefined || Array.isArray(value) ? where : `${where}.${field}`;
  return { path, message: `${path.slice(where.length + 1) || where} is nested too deeply (at most ${MAX_DEPTH} levels)` };
}

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
  // Before joi: deep input would make validation (and later Objection's clone) recurse past the stack.
  const deep = tooDeep(value, where);
  if (deep) throw new ValidationError(deep.message, [deep]);
  const { value: out, error } = schema.validate(value ?? {}, JOI_OPTIONS);
  const details: ErrorDetail[] = error
    ? error.details.map((d) => ({ path: [where, ...d.path].join('.'), message: d.message.replace(/"/g, '') }))
    : [];
  const nul: string[] = [];
  nulPaths(out ?? value, where, nul);
  for (const path of nul) details.push({ path, message: `${path.slice(where.length + 1) || where} must not contain the NUL character` });
  if (!details.length) return out as T;
  const [only] = details;
  throw new ValidationError(details.length === 1 && only ? only.message : 'The request has invalid fields', details);
}
