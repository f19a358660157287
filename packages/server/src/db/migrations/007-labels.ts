import type { Knex } from 'knex';

/**
 * Support labels: per-app names with a palette colour (see LABEL_COLOURS in @confab/protocol),
 * unique per app ignoring case, and the labels on each conversation. Deleting a label or a
 * conversation removes its links. The inbox filters by label: the link's label id is indexed.
 */
const COLOURS = ['grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('support_labels', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('colour').notNullable().checkIn(COLOURS);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index support_labels_app_name_unique on support_labels (app_id, lower(name))');
  await knex.schema.createTable('conversation_labels', (t) => {
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('label_id').notNullable().references('support_labels.id').onDelete('CASCADE');
    t.uuid('added_by').references('users.id').onDelete('SET NULL');
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['room_id', 'label_id']);
    t.index(['label_id', 'room_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('conversation_labels');
  await knex.schema.dropTableIfExists('support_labels');
}
