import type { Knex } from 'knex';

/**
 * Mail when people have left (services/mail/):
 * - `mail_reply_tokens`: one unguessable token per conversation, the `+token` of its reply address;
 *   an inbound mail names exactly one conversation by it, and is refused unless it comes from that
 *   conversation's visitor. Only a SHA-256 of the token is kept (like sessions' refresh tokens),
 *   so the table leaked says nothing that lets anyone write into a conversation.
 * - `mail_continuity`: the last message seq of each conversation already mailed to its visitor, so
 *   the next continuity mail carries only what came after.
 * - `mail_agent_waits`: each conversation's current wait for an answer that agents were told of by
 *   mail (`seq` of the visitor message that started it), so one wait is one notification.
 * - `mail_unsubscribes`: addresses that asked for no more continuity mail or notifications, per app.
 * - `mail_inbound`: inbound mails already turned into messages, by their Message-ID (a provider's
 *   retried POST adds nothing).
 * - `apps.inbound_secret_hash`: SHA-256 of the app's inbound secret (POST /v1/inbound/email).
 * - `mail_outbox` gains what the newer kinds of mail carry: Reply-To, the recipient's unsubscribe
 *   link, and the thread it belongs to (In-Reply-To / References).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('apps', (t) => {
    t.text('inbound_secret_hash');
  });
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.text('reply_to');
    t.text('unsubscribe_url');
    t.text('in_reply_to');
  });
  await knex.schema.createTable('mail_reply_tokens', (t) => {
    t.text('token_hash').primary();
    t.uuid('room_id').notNullable().unique().references('rooms.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('mail_continuity', (t) => {
    t.uuid('room_id').primary().references('rooms.id').onDelete('CASCADE');
    t.bigInteger('mailed_seq').notNullable();
    /** The first continuity mail's Message-ID: later ones thread under it. */
    t.text('thread_message_id');
    t.timestamp('mailed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('mail_agent_waits', (t) => {
    t.uuid('room_id').primary().references('rooms.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.bigInteger('seq').notNullable();
    t.timestamp('notified_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('mail_unsubscribes', (t) => {
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    /** Lower-cased. */
    t.text('address').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['app_id', 'address']);
  });
  await knex.schema.createTable('mail_inbound', (t) => {
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('message_id').notNullable();
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('chat_message_id').references('messages.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['app_id', 'message_id']);
  });
  // Agents' per-recipient throttle looks up the last notification to an address.
  await knex.raw('create index mail_outbox_kind_to_index on mail_outbox (kind, "to", created_at) where kind = \'agent_notification\'');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists mail_outbox_kind_to_index');
  for (const table of ['mail_inbound', 'mail_unsubscribes', 'mail_agent_waits', 'mail_continuity', 'mail_reply_tokens']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.dropColumn('reply_to');
    t.dropColumn('unsubscribe_url');
    t.dropColumn('in_reply_to');
  });
  await knex.schema.alterTable('apps', (t) => {
    t.dropColumn('inbound_secret_hash');
  });
}
