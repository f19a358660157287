import type { Knex } from 'knex';

/**
 * A person's own messages across every room, newest first (`GET /v1/me/messages`, and the data
 * export that pages through them): an index by sender and time, so a page is an index range, not
 * a sort of everything they ever wrote.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index messages_sender_time_index on messages (sender_id, created_at desc, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists messages_sender_time_index');
}
