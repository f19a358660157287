import type { Knex } from 'knex';

/**
 * Agents' private notes on support conversations. They are not messages on purpose: no seq, no
 * room version, so history, catch-up, the room list's last message, message webhooks, the
 * message cache and search never see them, and a visitor cannot receive one by any of those paths.
 * `(author_id, client_id)` makes a retried create return the first note; `mentions` holds the ids
 * of the app's staff the text names. A deleted note keeps its row (`deleted_at`); lists leave it out.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversation_notes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.uuid('author_id').references('users.id').onDelete('SET NULL');
    t.text('client_id').notNullable();
    t.text('text').notNullable();
    t.specificType('mentions', 'uuid[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
    t.unique(['author_id', 'client_id']);
    t.index(['room_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('conversation_notes');
}
