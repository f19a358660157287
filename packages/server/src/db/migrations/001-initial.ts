import type { Knex } from 'knex';

/** The whole data model (docs/data-model.md), including tables that later features fill. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('apps', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('secret').notNullable();
    t.specificType('allowed_origins', 'text[]').notNullable().defaultTo('{}');
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['member', 'guest']);
    t.text('role').notNullable().defaultTo('user').checkIn(['user', 'agent', 'admin']);
    t.text('external_id');
    t.text('username');
    t.text('email');
    t.text('name');
    t.text('last_name');
    t.text('avatar_url');
    t.text('password_hash');
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true });
    t.unique(['app_id', 'external_id']);
    t.index(['app_id', 'kind']);
  });
  await knex.raw('create unique index users_app_username_unique on users (app_id, lower(username)) where username is not null');
  await knex.raw("create unique index users_app_email_unique on users (app_id, lower(email)) where email is not null and kind = 'member'");

  await knex.schema.createTable('rooms', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['direct', 'group', 'public', 'support']);
    t.text('name');
    t.text('slug');
    // Sorted pair of user ids: makes "get or create the direct room" a single unique key.
    t.text('direct_key');
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.bigInteger('last_seq').notNullable().defaultTo(0);
    t.timestamp('last_message_at', { useTz: true });
    t.text('status').checkIn(['open', 'pending', 'resolved']);
    t.uuid('assignee_id').references('users.id').onDelete('SET NULL');
    t.jsonb('visitor').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['app_id', 'direct_key']);
    t.index(['app_id', 'kind', 'status']);
  });
  await knex.raw('create unique index rooms_app_slug_unique on rooms (app_id, slug) where slug is not null');

  await knex.schema.createTable('memberships', (t) => {
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role').notNullable().defaultTo('member').checkIn(['owner', 'member', 'agent']);
    t.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('delivered_seq').notNullable().defaultTo(0);
    t.bigInteger('read_seq').notNullable().defaultTo(0);
    t.boolean('muted').notNullable().defaultTo(false);
    t.primary(['room_id', 'user_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.bigInteger('seq').notNullable();
    t.uuid('sender_id').notNullable().references('users.id');
    t.text('client_id');
    t.text('text').notNullable().defaultTo('');
    t.uuid('reply_to_id').references('messages.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('edited_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.unique(['room_id', 'seq']);
    t.unique(['sender_id', 'client_id']);
  });

  await knex.schema.createTable('attachments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.uuid('uploader_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('message_id').references('messages.id').onDelete('SET NULL');
    t.text('filename').notNullable();
    t.text('mime').notNullable();
    t.bigInteger('size').notNullable();
    t.text('storage_key').notNullable();
    t.integer('width');
    t.integer('height');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['message_id']);
  });

  await knex.schema.createTable('reactions', (t) => {
    t.uuid('message_id').notNullable().references('messages.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('emoji').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['message_id', 'user_id', 'emoji']);
  });

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('family_id').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.uuid('replaced_by');
    t.index(['family_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('canned_responses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('shortcut').notNullable();
    t.text('text').notNullable();
    t.uuid('created_by').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['app_id', 'shortcut']);
  });

  await knex.schema.createTable('webhooks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.text('url').notNullable();
    t.text('secret').notNullable();
    t.specificType('events', 'text[]').notNullable().defaultTo('{}');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['app_id']);
  });

  // The delivery outbox: written in the same transaction as the event it announces.
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('webhook_id').notNullable().references('webhooks.id').onDelete('CASCADE');
    t.text('event').notNullable();
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'delivered', 'failed']);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('last_status_code');
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.index(['status', 'next_attempt_at']);
    t.index(['webhook_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'webhook_deliveries',
    'webhooks',
    'canned_responses',
    'refresh_tokens',
    'reactions',
    'attachments',
    'messages',
    'memberships',
    'rooms',
    'users',
    'apps',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
