import type { Knex } from 'knex';

/**
 * Attachments at scale (docs/uploads.md):
 * - PostgreSQL storage keeps a file as 256 KiB chunks, so an upload is written and a range is read
 *   a chunk at a time instead of as one bytea value; chunks are stored uncompressed (`external`),
 *   as uploads are mostly compressed already and a range read then touches only its pages.
 * - Images keep a thumbnail of their own (a second storage key).
 * - Storage used per app and per uploader, kept by a trigger on `attachments` so every path that
 *   adds or removes a file (uploads, housekeeping, erasure, retention, cascades) counts it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('upload_chunks', (t) => {
    t.text('key').notNullable();
    t.integer('seq').notNullable();
    t.binary('data').notNullable();
    t.primary(['key', 'seq']);
  });
  await knex.raw('alter table upload_chunks alter column data set storage external');
  await knex.raw(`
    insert into upload_chunks (key, seq, data)
    select b.key, g.seq, substring(b.data from g.seq * 262144 + 1 for 262144)
    from upload_blobs b, generate_series(0, greatest(octet_length(b.data) - 1, 0) / 262144) as g(seq)`);
  await knex.schema.dropTable('upload_blobs');

  await knex.schema.alterTable('attachments', (t) => {
    t.text('thumb_key');
    t.text('thumb_mime');
    t.integer('thumb_width');
    t.integer('thumb_height');
  });

  await knex.schema.createTable('storage_usage_apps', (t) => {
    t.text('app_id').primary().references('apps.id').onDelete('CASCADE');
    t.bigInteger('bytes').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('storage_usage_users', (t) => {
    t.uuid('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('app_id').notNullable().references('apps.id').onDelete('CASCADE');
    t.bigInteger('bytes').notNullable().defaultTo(0);
    t.index(['app_id', 'bytes']);
  });
  // One statement per call: the embedded database takes no more.
  await knex.raw('insert into storage_usage_apps (app_id, bytes) select app_id, sum(size) from attachments group by app_id');
  await knex.raw(
    'insert into storage_usage_users (user_id, app_id, bytes) ' +
      'select uploader_id, min(app_id), sum(size) from attachments group by uploader_id',
  );
  await knex.raw(`
    create function confab_count_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        update storage_usage_apps set bytes = bytes - old.size where app_id = old.app_id;
        update storage_usage_users set bytes = bytes - old.size where user_id = old.uploader_id;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into storage_usage_apps as u (app_id, bytes) values (new.app_id, new.size)
          on conflict (app_id) do update set bytes = u.bytes + excluded.bytes;
        insert into storage_usage_users as u (user_id, app_id, bytes) values (new.uploader_id, new.app_id, new.size)
          on conflict (user_id) do update set bytes = u.bytes + excluded.bytes;
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create trigger attachments_count_storage after insert or delete or update of size, uploader_id, app_id on attachments
      for each row execute function confab_count_storage();`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists attachments_count_storage on attachments');
  await knex.raw('drop function if exists confab_count_storage()');
  await knex.schema.dropTable('storage_usage_users');
  await knex.schema.dropTable('storage_usage_apps');
  await knex.schema.alterTable('attachments', (t) => {
    t.dropColumns('thumb_key', 'thumb_mime', 'thumb_width', 'thumb_height');
  });
  await knex.schema.createTable('upload_blobs', (t) => {
    t.text('key').primary();
    t.binary('data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `insert into upload_blobs (key, data) select key, string_agg(data, ''::bytea order by seq) from upload_chunks group by key`,
  );
  await knex.schema.dropTable('upload_chunks');
}
