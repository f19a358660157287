import type { Knex } from 'knex';

/**
 * The inbox and the room list page rooms by last activity (services/rooms/activity.ts). Without
 * an index on that expression every page sorted all of an app's rooms: 5–6 ms at 10,000
 * conversations, growing with them. Kind and status lead because the inbox filters on both.
 */
const ACTIVITY = "timezone('UTC', date_trunc('milliseconds', timezone('UTC', coalesce(last_message_at, created_at))))";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index rooms_activity_index on rooms (app_id, kind, status, (${ACTIVITY}) desc, id desc)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists rooms_activity_index');
}
