import type { Knex } from 'knex';

/**
 * Sessions are checked without the database: each node keeps the sessions ended within an access
 * token's lifetime in memory and loads them at start and after a Redis reconnect
 * (`recentRevocations`). This partial index keeps that read from scanning every refresh token.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index refresh_tokens_revoked_at_index on refresh_tokens (revoked_at) where revoked_at is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists refresh_tokens_revoked_at_index');
}
