import type { Knex } from 'knex';

/**
 * Moderation of group and public rooms, people protecting themselves, and data rights:
 * - memberships gain the `moderator` role, a mute's end (`muted_until`; `muted` stays the member's
 *   own notification setting) and the time of their last message (`last_posted_at`, kept only in
 *   rooms with slow mode, which rooms now carry as `slow_mode_seconds`);
 * - bans per room (`room_bans`) and across the app (`user_bans`), each with an optional end;
 * - `moderation_log`: who did what to whom, when and why (the audit log owners and admins read);
 * - `message_pins`, `user_blocks`, `message_reports` (one per message and reporter);
 * - `user_erasures`: an erasure asked for and how far it got, so that a crash halfway finishes on
 *   the next run; `users.erased_at` once it has;
 * - a BRIN index of messages by time for retention (messages older than N days): a few pages for
 *   the whole table, as rows are appended in time order, and next to nothing added to each insert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table memberships drop constraint if exists memberships_role_check`);
  await knex.raw(`alter table memberships add constraint memberships_role_check check (role in ('owner', 'moderator', 'member', 'agent'))`);
  await knex.schema.alterTable('memberships', (t) => {
    t.timestamp('muted_until', { useTz: true }).nullable();
    t.timestamp('last_posted_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('rooms', (t) => {
    t.integer('slow_mode_seconds').notNullable().defaultTo(0);
  });
  await knex.raw('alter table rooms add constraint rooms_slow_mode_check check (slow_mode_seconds between 0 and 21600)');
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('erased_at', { useTz: true }).nullable();
  });

  await knex.schema.createTable('room_bans', (t) => {
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('banned_by').nullable().references('users.id').onDelete('SET NULL');
    t.text('reason').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.primary(['room_id', 'user_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('user_bans', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.uuid('banned_by').nullable().references('users.id').onDelete('SET NULL');
    t.text('reason').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.index(['app_id', 'created_at']);
  });

  await knex.schema.createTable('moderation_log', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.uuid('room_id').nullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('actor_id').nullable().references('users.id').onDelete('SET NULL');
    t.text('action').notNullable();
    t.uuid('target_user_id').nullable().references('users.id').onDelete('SET NULL');
    t.uuid('message_id').nullable().references('messages.id').onDelete('SET NULL');
    t.text('reason').nullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index moderation_log_app_index on moderation_log (app_id, created_at desc, id desc)');
  await knex.raw('create index moderation_log_room_index on moderation_log (room_id, created_at desc, id desc) where room_id is not null');

  await knex.schema.createTable('message_pins', (t) => {
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('message_id').notNullable().references('messages.id').onDelete('CASCADE');
    t.uuid('pinned_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('pinned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['room_id', 'message_id']);
    t.index(['message_id']);
  });

  await knex.schema.createTable('user_blocks', (t) => {
    t.uuid('blocker_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('blocked_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['blocker_id', 'blocked_id']);
    t.index(['blocked_id']);
  });

  await knex.schema.createTable('message_reports', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.uuid('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.uuid('message_id').notNullable().references('messages.id').onDelete('CASCADE');
    t.uuid('reporter_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('reason').notNullable().checkIn(['spam', 'abuse', 'other'], 'message_reports_reason_check');
    t.text('comment').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['message_id', 'reporter_id']);
  });
  await knex.raw('create index message_reports_app_index on message_reports (app_id, created_at desc, id desc)');
  await knex.raw('create index message_reports_room_index on message_reports (room_id, created_at desc, id desc)');

  await knex.schema.createTable('user_erasures', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    /** `self`, `admin` (an app admin) or `operator` (ADMIN_TOKEN), or `retention`. */
    t.text('requested_by').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true }).nullable();
  });
  await knex.raw('create index messages_created_brin on messages using brin (created_at)');
  await knex.raw('create index user_erasures_pending_index on user_erasures (requested_at) where finished_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists messages_created_brin');
  for (const table of ['user_erasures', 'message_reports', 'user_blocks', 'message_pins', 'moderation_log', 'user_bans', 'room_bans']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('users', (t) => t.dropColumn('erased_at'));
  await knex.raw('alter table rooms drop constraint if exists rooms_slow_mode_check');
  await knex.schema.alterTable('rooms', (t) => t.dropColumn('slow_mode_seconds'));
  await knex.schema.alterTable('memberships', (t) => {
    t.dropColumn('muted_until');
    t.dropColumn('last_posted_at');
  });
  await knex.raw(`update memberships set role = 'member' where role = 'moderator'`);
  await knex.raw(`alter table memberships drop constraint if exists memberships_role_check`);
  await knex.raw(`alter table memberships add constraint memberships_role_check check (role in ('owner', 'member', 'agent'))`);
}
