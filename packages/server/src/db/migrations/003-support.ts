import type { Knex } from 'knex';

/**
 * Support conversations, files and webhooks: system messages (agent actions, away replies: the
 * latter have no sender), agents' availability, upload bytes kept in PostgreSQL so every node
 * serves every file, and the event id that ties one event's deliveries together.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.text('type').notNullable().defaultTo('text').checkIn(['text', 'system']);
    t.jsonb('meta');
  });
  await knex.raw('alter table messages alter column sender_id drop not null');
  await knex.schema.alterTable('users', (t) => {
    t.text('availability').notNullable().defaultTo('online').checkIn(['online', 'away']);
  });
  await knex.schema.alterTable('rooms', (t) => {
    t.timestamp('resolved_at', { useTz: true });
  });
  await knex.schema.createTable('upload_blobs', (t) => {
    t.text('key').primary();
    t.binary('data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('attachments', (t) => {
    t.index(['uploader_id', 'created_at']);
  });
  await knex.schema.alterTable('webhook_deliveries', (t) => {
    t.uuid('event_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => t.dropColumn('event_id'));
  await knex.schema.alterTable('attachments', (t) => t.dropIndex(['uploader_id', 'created_at']));
  await knex.schema.dropTableIfExists('upload_blobs');
  await knex.schema.alterTable('rooms', (t) => t.dropColumn('resolved_at'));
  await knex.schema.alterTable('users', (t) => t.dropColumn('availability'));
  await knex('messages').whereNull('sender_id').delete();
  await knex.raw('alter table messages alter column sender_id set not null');
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('meta');
    t.dropColumn('type');
  });
}
