import type { Knex } from 'knex';

/**
 * The durable mail outbox (services/mail/): one row per logical mail, queued with everything needed
 * to build it, sent later by the sender loop with retries. `dedupe_key` makes one logical mail (a
 * transcript of one conversation at one point, to one address) a single row however often it is
 * asked for; `message_id` is fixed at queue time, so a resend after a crash is the same message.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_outbox', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('to').notNullable();
    t.text('subject').notNullable();
    t.text('text_body').notNullable();
    t.text('html_body');
    t.text('message_id').notNullable();
    t.uuid('room_id').references('rooms.id').onDelete('SET NULL');
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'sent', 'failed']);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.text('dedupe_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
  });
  await knex.raw("create index mail_outbox_due_index on mail_outbox (next_attempt_at) where status = 'pending'");
  await knex.raw('create index mail_outbox_room_index on mail_outbox (room_id) where room_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mail_outbox');
}
