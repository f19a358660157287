import type { Knex } from 'knex';

/**
 * Auto-assignment (services/support/auto-assign.ts). `last_assigned_at` orders round-robin: the
 * online agent assigned longest ago goes next. `unavailable_since` is when an agent was first seen
 * away or offline, so their open conversations can go back to the queue after the app's set time.
 * The partial index counts each agent's open and pending conversations (least-busy) and finds the
 * queue (unassigned open ones, oldest first).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('last_assigned_at', { useTz: true });
    t.timestamp('unavailable_since', { useTz: true });
  });
  await knex.raw(
    `create index rooms_support_workload_index on rooms (app_id, assignee_id, created_at)
       where kind = 'support' and status in ('open', 'pending')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists rooms_support_workload_index');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('last_assigned_at');
    t.dropColumn('unavailable_since');
  });
}
