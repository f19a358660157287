// P8's 10,000 open conversations, written straight into PostgreSQL in the exact shape the server
// gives them: two conversations are started through the REST API (one left unassigned, one
// claimed by an agent) and their rows (visitor, room, memberships, messages) are cloned with new
// ids, visitors, agents and times. Every column is copied from the template unless overridden, so
// a column a migration adds is carried over with the server's own value.
import type pg from 'pg';

/** One conversation the server made, and who is in it. */
export interface Template {
  roomId: string;
  visitorId: string;
  /** The agent who claimed it (null: unassigned). */
  agentId: string | null;
  agentName: string | null;
}

export interface SeedOptions {
  count: number;
  /** Agents, in turn, claim `assignedShare` of the conversations. */
  agentIds: string[];
  assignedShare: number;
  unassigned: Template;
  assigned: Template;
}

const SEED = 'bench_p8_seed';

async function columnsOf(db: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
     where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

/** `insert into table select …` copying every column of the template rows `t` but the overridden ones. */
async function clone(db: pg.Pool, table: string, from: string, overrides: Record<string, string>, params: unknown[]): Promise<number> {
  const columns = await columnsOf(db, table);
  const values = columns.map((c) => overrides[c] ?? `t.${c}`);
  const result = await db.query(`insert into ${table} (${columns.join(', ')}) select ${values.join(', ')} from ${from}`, params);
  return result.rowCount ?? 0;
}

/** Tables other than the cloned ones that hold rows of a template conversation (the clones would lack them). */
export async function uncloned(db: pg.Pool, roomIds: string[]): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `select table_name from information_schema.columns
     where table_schema = current_schema() and column_name = 'room_id' and table_name not in ('memberships', 'messages', '${SEED}')`,
  );
  const found: string[] = [];
  for (const { table_name: table } of rows) {
    const { rows: hit } = await db.query(`select 1 from ${table} where room_id = any($1::uuid[]) limit 1`, [roomIds]);
    if (hit.length) found.push(table);
  }
  return found;
}

/** The seeded conversations' rooms and visitors: one row per conversation, newest first, 26 s apart; the agents claim theirs in turn. */
async function plan(db: pg.Pool, options: SeedOptions): Promise<void> {
  await db.query(`drop table if exists ${SEED}`);
  await db.query(
    `create table ${SEED} as
     select g, gen_random_uuid() as visitor_id, gen_random_uuid() as room_id, a.id as agent_id, a.name as agent_name,
            now() - g * interval '26 seconds' as at
     from generate_series(1, $1::int) g
     left join users a on a.id = case when g % 10 < $3 then ($2::uuid[])[1 + (g / 10) % array_length($2::uuid[], 1)] end`,
    [options.count, options.agentIds, Math.round(options.assignedShare * 10)],
  );
}

async function cloneConversations(db: pg.Pool, template: Template, which: string): Promise<number> {
  // $1 the template room; in memberships and messages, $2 its visitor and $3 its agent.
  const from = (table: string, key: string) =>
    `${table} t join ${SEED} s on ${which} join rooms tr on tr.id = $1::uuid and t.${key} = tr.id`;
  const shift = (column: string) => `s.at + (t.${column} - tr.created_at)`;
  const person = (column: string) =>
    `case when t.${column} = $2::uuid then s.visitor_id when t.${column} = $3::uuid then s.agent_id else t.${column} end`;
  const people = [template.roomId, template.visitorId, template.agentId];
  await clone(
    db,
    'users',
    `users t join ${SEED} s on ${which} and t.id = $1::uuid`,
    { id: 's.visitor_id', external_id: `'p8-visitor-' || s.g`, name: `'Visitor ' || s.g`, created_at: 's.at', last_seen_at: 's.at' },
    [template.visitorId],
  );
  const rooms = await clone(
    db,
    'rooms',
    from('rooms', 'id'),
    {
      id: 's.room_id',
      created_by: 's.visitor_id',
      assignee_id: template.agentId ? 's.agent_id' : 'null',
      created_at: 's.at',
      updated_at: shift('updated_at'),
      last_message_at: shift('last_message_at'),
    },
    [template.roomId],
  );
  await clone(
    db,
    'memberships',
    from('memberships', 'room_id'),
    { room_id: 's.room_id', user_id: person('user_id'), joined_at: shift('joined_at') },
    people,
  );
  await clone(
    db,
    'messages',
    from('messages', 'room_id'),
    {
      id: 'gen_random_uuid()',
      room_id: 's.room_id',
      sender_id: person('sender_id'),
      client_id: `case when t.client_id is null then null else 'p8-seed-' || s.g || '-' || t.seq end`,
      created_at: shift('created_at'),
      // System messages name the agent who claimed the conversation, in text and meta.
      text: `case when t.type = 'system' and $4::text <> '' then replace(t.text, $4::text, s.agent_name) else t.text end`,
      meta: `case when t.meta is null or $3::uuid is null then t.meta
             else replace(t.meta::text, $3::uuid::text, s.agent_id::text)::jsonb end`,
    },
    [...people, template.agentName ?? ''],
  );
  return rooms;
}

/** Writes `count` conversations cloned from the two templates; returns their room ids. */
export async function seedConversations(db: pg.Pool, options: SeedOptions): Promise<string[]> {
  await plan(db, options);
  await cloneConversations(db, options.unassigned, 's.agent_id is null');
  await cloneConversations(db, options.assigned, 's.agent_id is not null');
  const { rows } = await db.query<{ room_id: string }>(`select room_id from ${SEED} order by g`);
  await db.query(`drop table ${SEED}`);
  await db.query('analyze');
  return rows.map((r) => r.room_id);
}
