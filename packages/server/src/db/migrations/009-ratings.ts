import type { Knex } from 'knex';

/**
 * Visitors' satisfaction ratings (CSAT): one per resolution of a support conversation, keyed by the
 * room and the `resolved_at` it rates, so a conversation reopened and resolved again is rated anew.
 * Only the room's visitor (`rooms.created_by`) rates, so there is no rater column. `app_id` and
 * `created_at` lead an index for reports over an app's ratings in a period.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversation_ratings', (t) => {
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.timestamp('resolved_at', { useTz: true }).notNullable();
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.smallint('score').notNullable();
    t.text('comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['room_id', 'resolved_at']);
    t.index(['app_id', 'created_at']);
  });
  await knex.raw('alter table conversation_ratings add constraint conversation_ratings_score_check check (score between 1 and 5)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('conversation_ratings');
}
