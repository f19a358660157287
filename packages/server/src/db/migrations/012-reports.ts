import type { Knex } from 'knex';

/**
 * Support reports (services/support/report-query.ts) read a period of an app's conversations and of
 * resolve events. Without these, the first was a scan of all the app's rooms and the second a scan
 * of every message of every app (EXPLAIN at 10,000 conversations); both indexes are partial, so
 * other rooms and ordinary messages cost nothing. The resolve predicate is the query's, word for word.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("create index rooms_support_created_index on rooms (app_id, created_at) where kind = 'support'");
  await knex.raw("create index messages_resolved_index on messages (created_at) where type = 'system' and meta->>'event' = 'resolved'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists messages_resolved_index');
  await knex.raw('drop index if exists rooms_support_created_index');
}
