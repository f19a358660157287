import objection from 'objection';

/** Shared base: rows come back camelCased by the knex snake-case mappers. */
export class BaseModel extends objection.Model {
  static override useLimitInFirst = true;
}
