import type { Knex } from 'knex';

/**
 * A per-room change counter, bumped under the room row lock by every send, edit, delete and
 * reaction, so its order is commit order. Messages remember the counter at their creation and at
 * their last change: a client that has everything up to seq N catches up exactly with
 * `seq > N or version > created_version(N)`; the message cache is valid while its version matches.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rooms', (t) => {
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('messages', (t) => {
    t.bigInteger('version').notNullable().defaultTo(0);
    t.bigInteger('created_version').notNullable().defaultTo(0);
    t.index(['room_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['room_id', 'version']);
    t.dropColumn('version');
    t.dropColumn('created_version');
  });
  await knex.schema.alterTable('rooms', (t) => {
    t.dropColumn('version');
  });
}
