import type { Knex } from 'knex';

/**
 * Full-text search of support conversations (services/support/search.ts). Expression indexes
 * rather than stored tsvector columns: adding a generated column rewrites the whole messages
 * table under an exclusive lock and stores every vector twice (heap and index); the index alone is
 * built with one scan and the vector is recomputed only for the rows a search ranks. The `simple`
 * configuration (no stemming, no stop words) because visitors write in many languages; the
 * messages index is partial so tombstones and system messages cost nothing and never match.
 * The expressions must stay character for character what search.ts queries.
 */
const MESSAGE_VECTOR = "to_tsvector('simple'::regconfig, text)";
const PERSON_VECTOR =
  "to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(last_name, '') || ' ' || " +
  "coalesce(username, '') || ' ' || coalesce(email, '') || ' ' || replace(coalesce(email, ''), '@', ' '))";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `create index messages_search_index on messages using gin ((${MESSAGE_VECTOR})) where deleted_at is null and type <> 'system'`,
  );
  await knex.raw(`create index users_search_index on users using gin ((${PERSON_VECTOR}))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists users_search_index');
  await knex.raw('drop index if exists messages_search_index');
}
