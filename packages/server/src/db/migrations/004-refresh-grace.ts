import type { Knex } from 'knex';

/**
 * Refresh-token rotation with a grace window: when a token is rotated, its successor is kept
 * sealed under a key only the rotated token derives, with when and for which client it happened,
 * so an honest second presentation within seconds (two tabs racing) can be answered with the same
 * successor instead of being taken for theft.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.timestamp('replaced_at', { useTz: true });
    t.text('successor_sealed');
    t.text('client_hash');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.dropColumn('replaced_at');
    t.dropColumn('successor_sealed');
    t.dropColumn('client_hash');
  });
}
