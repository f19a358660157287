import { LIMITS, type PageQuery } from '@confab/protocol';
import Joi from 'joi';

import { cursorSchema, limitSchema } from './pagination.js';
import { nestedDeeperThan } from './validation.js';

// Field schemas and input types that every domain's schemas share (so no domain imports another's).

/** A wire input after validation: the fields joi gives a default are always there. */
export type WithDefaults<T, K extends keyof T> = T & { [F in K]-?: Exclude<T[F], undefined> };

export const idSchema = Joi.string().guid();
export type PageInput = WithDefaults<PageQuery, 'limit'>;

/** `?limit=&cursor=` of a keyset-paged list. */
export const pageSchema = Joi.object<PageInput>({
  limit: limitSchema,
  cursor: cursorSchema,
});

export const nameSchema = Joi.string().trim().min(1).max(LIMITS.nameMax);
export const emailSchema = Joi.string().trim().lowercase().email({ tlds: false }).max(LIMITS.emailMax);
export const metadataSchema = Joi.object()
  .unknown(true)
  .custom((value, helpers) =>
    nestedDeeperThan(value, LIMITS.metadataDepthMax)
      ? helpers.error('object.tooDeep')
      : Buffer.byteLength(JSON.stringify(value)) > LIMITS.metadataBytesMax
        ? helpers.error('object.tooBig')
        : value,
  )
  .messages({
    'object.tooBig': `{#label} must be at most ${LIMITS.metadataBytesMax} bytes of JSON`,
    'object.tooDeep': `{#label} must nest at most ${LIMITS.metadataDepthMax} levels deep`,
  });
