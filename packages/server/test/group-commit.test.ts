import type { AttachmentDto, AuthSessionDto, MessageDto, RoomDto } from '@confab/protocol';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { toAppError } from '../src/errors.js';
import type { Actor } from '../src/services/actor.js';
import type { SendResult } from '../src/services/messages/messages-service.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

// Concurrent sends share one transaction (group commit); every promise a single send makes holds per message (docs/data-model.md).

let server: TestServer;
let tenant: App;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  server = await startTestServer();
  tenant = await server.createTenant();
});

afterAll(() => server?.close());

async function room(owner: AuthSessionDto, members: AuthSessionDto[] = []): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', {
    token: owner.accessToken,
    body: { name: 'Team', memberIds: members.map((m) => m.user.id) },
  });
  expect(res.status).toBe(201);
  return res.body;
}

const actorOf = (session: AuthSessionDto): Promise<Actor> => server.app.services.auth.authenticate(session.accessToken);

interface Send {
  actor: Actor;
  roomId: string;
  clientId: string;
  text?: string;
  attachments?: string[];
  replyTo?: string;
}

type Settled = { ok: true; result: SendResult } | { ok: false; code: string };

/** Issues every send in the same turn of the event loop (so they gather into one batch), counting the inserts into messages. */
async function together(sends: Send[]): Promise<{ settled: Settled[]; inserts: number }> {
  let inserts = 0;
  const count = (q: { sql: string }) => {
    if (/insert into "?messages"? /.test(q.sql)) inserts++;
  };
  server.db.on('query', count);
  try {
    const settled = await Promise.all(
      sends.map(({ actor, roomId, clientId, text = 'hello', attachments, replyTo }) =>
        server.app.services.messages.send(actor, roomId, { clientId, text, attachments: attachments ?? [], replyTo }).then(
          (result): Settled => ({ ok: true, result }),
          (err: unknown): Settled => ({ ok: false, code: toAppError(err).code }),
        ),
      ),
    );
    return { settled, inserts };
  } finally {
    server.db.off('query', count);
  }
}

const message = (s: Settled | undefined): MessageDto => {
  if (!s?.ok) throw new Error(`expected a stored message, got ${JSON.stringify(s)}`);
  return s.result.message;
};

async function stored(roomId: string): Promise<{ seq: number; clientId: string | null; type: string }[]> {
  const rows: { seq: string; clientId: string | null; type: string }[] = await server
    .db('messages')
    .where({ roomId })
    .orderBy('seq')
    .select('seq', 'client_id', 'type');
  return rows.map((r) => ({ seq: Number(r.seq), clientId: r.clientId, type: r.type }));
}

describe('group commit of sends', () => {
  it('writes sends arriving together to several rooms in one insert, each room numbered 1..n in arrival order', async () => {
    const [ana, bob, eve] = await Promise.all([
      server.member(tenant, 'gc-ana'),
      server.member(tenant, 'gc-bob'),
      server.member(tenant, 'gc-eve'),
    ]);
    const rooms = await Promise.all([room(ana, [bob]), room(bob, [eve]), room(eve, [ana])]);
    const actors = await Promise.all([ana, bob, eve].map(actorOf));
    // Ten sends into each room, by its owner, interleaved as they would arrive.
    const sends = Array.from({ length: 30 }, (_, i) => ({
      actor: actors[i % 3]!,
      roomId: rooms[i % 3]!.id,
      clientId: `gc-${i}`,
      text: `#${i}`,
    }));
    const { settled, inserts } = await together(sends);
    expect(settled.every((s) => s.ok)).toBe(true);
    expect(inserts).toBe(1);
    for (const [r, target] of rooms.entries()) {
      const rows = await stored(target.id);
      expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(rows.map((row) => row.clientId)).toEqual(Array.from({ length: 10 }, (_, i) => `gc-${i * 3 + r}`));
    }
    // The answers are the stored messages, and the sender's own read watermark covers them.
    const last = message(settled[29]);
    expect(last).toMatchObject({ seq: 10, text: '#29', clientId: 'gc-29', sender: { id: eve.user.id } });
    const mark = await server.db('memberships').where({ roomId: rooms[2]!.id, userId: eve.user.id }).first('read_seq', 'delivered_seq');
    expect([Number(mark.readSeq), Number(mark.deliveredSeq)]).toEqual([10, 10]);
  });

  it('answers two retries of one clientId in one batch with one message, and a later retry with the same one', async () => {
    const ana = await server.member(tenant, 'retry-ana');
    const target = await room(ana);
    const actor = await actorOf(ana);
    const { settled } = await together([
      { actor, roomId: target.id, clientId: 'twice' },
      { actor, roomId: target.id, clientId: 'twice' },
      { actor, roomId: target.id, clientId: 'other' },
    ]);
    const [first, second, other] = settled;
    expect(first).toMatchObject({ ok: true, result: { created: true } });
    expect(second).toMatchObject({ ok: true, result: { created: false } });
    expect(message(second).id).toBe(message(first).id);
    expect(message(other).seq).toBe(2);
    const again = await together([{ actor, roomId: target.id, clientId: 'twice' }]);
    expect(again.settled[0]).toMatchObject({ ok: true, result: { created: false, message: { id: message(first).id, seq: 1 } } });
    expect(again.inserts).toBe(0);
    expect((await stored(target.id)).map((r) => r.clientId)).toEqual(['twice', 'other']);
  });

  it('fails each bad send of a mixed batch alone with its own error; the others commit with gap-free seqs', async () => {
    const [ana, bob, eve] = await Promise.all([
      server.member(tenant, 'mix-ana'),
      server.member(tenant, 'mix-bob'),
      server.member(tenant, 'mix-eve'),
    ]);
    const target = await room(ana, [bob]);
    const elsewhere = await room(eve);
    const [anaActor, bobActor, eveActor] = await Promise.all([actorOf(ana), actorOf(bob), actorOf(eve)]);
    const used = await together([{ actor: anaActor, roomId: elsewhere.id, clientId: 'x' }]);
    expect(used.settled[0]).toMatchObject({ ok: false, code: 'forbidden' });
    const inElsewhere = message((await together([{ actor: eveActor, roomId: elsewhere.id, clientId: 'eve-1' }])).settled[0]);
    await together([{ actor: anaActor, roomId: target.id, clientId: 'ana-used' }]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'dot.png');
    const uploaded = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${eve.accessToken}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const evesFile = ((await uploaded.json()) as AttachmentDto).id;
    const otherTenant = await server.createTenant();
    const stranger = await actorOf(await server.member(otherTenant, 'mix-stranger'));

    const { settled, inserts } = await together([
      { actor: anaActor, roomId: target.id, clientId: 'good-1', text: 'first' },
      { actor: eveActor, roomId: target.id, clientId: 'not-member' },
      { actor: bobActor, roomId: target.id, clientId: 'not-mine', attachments: [evesFile] },
      { actor: bobActor, roomId: target.id, clientId: 'reply-elsewhere', replyTo: inElsewhere.id },
      { actor: anaActor, roomId: elsewhere.id, clientId: 'ana-used' },
      { actor: stranger, roomId: target.id, clientId: 'other-tenant' },
      { actor: anaActor, roomId: '00000000-0000-4000-8000-000000000000', clientId: 'no-room' },
      { actor: bobActor, roomId: target.id, clientId: 'good-2', text: 'second' },
    ]);
    expect(settled.map((s) => (s.ok ? 'ok' : s.code))).toEqual([
      'ok',
      'forbidden',
      'validation_failed',
      'validation_failed',
      'conflict',
      'not_found',
      'not_found',
      'ok',
    ]);
    expect(inserts).toBe(1);
    expect([message(settled[0]).seq, message(settled[7]).seq]).toEqual([2, 3]);
    expect((await stored(target.id)).map((r) => `${r.seq}:${r.clientId}`)).toEqual(['1:ana-used', '2:good-1', '3:good-2']);
    // Eve's upload was not taken by bob's refused send: she can still send it.
    const hers = await together([{ actor: eveActor, roomId: elsewhere.id, clientId: 'eve-file', attachments: [evesFile] }]);
    expect(message(hers.settled[0]).attachments.map((a) => a.id)).toEqual([evesFile]);
  });

  it('takes room, reply and upload ids written in capitals as the same ids', async () => {
    const ana = await server.member(tenant, 'caps-ana');
    const target = await room(ana);
    const actor = await actorOf(ana);
    const first = message((await together([{ actor, roomId: target.id.toUpperCase(), clientId: 'caps-1' }])).settled[0]);
    const reply = await together([{ actor, roomId: target.id.toUpperCase(), clientId: 'caps-2', replyTo: first.id.toUpperCase() }]);
    expect(message(reply.settled[0])).toMatchObject({ roomId: target.id, seq: 2, replyToId: first.id });
  });

  it('reopens a resolved conversation once for a batch of visitor messages, the note right after the first', async () => {
    const visitor = await server.guest(tenant, 'Visitor');
    const started = await server.request<{ id: string }>('POST', '/v1/support/conversations', { token: visitor.accessToken, body: {} });
    expect(started.status).toBe(201);
    const agent = await server.member(tenant, 'gc-agent', { role: 'agent' });
    const resolved = await server.request('PATCH', `/v1/rooms/${started.body.id}`, {
      token: agent.accessToken,
      body: { status: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    const actor = await actorOf(visitor);
    const { settled } = await together([
      { actor, roomId: started.body.id, clientId: 'back-1' },
      { actor, roomId: started.body.id, clientId: 'back-2' },
    ]);
    expect(settled.every((s) => s.ok)).toBe(true);
    const rows = (await stored(started.body.id)).filter((r) => r.seq > 1);
    expect(rows.map((r) => `${r.type}:${r.clientId ?? ''}`)).toEqual(['text:back-1', 'system:', 'text:back-2']);
    expect(rows.map((r) => r.seq)).toEqual([rows[0]!.seq, rows[0]!.seq + 1, rows[0]!.seq + 2]);
    const conversation = await server.db('rooms').where({ id: started.body.id }).first('status');
    expect(conversation.status).toBe('open');
  });
});

describe.runIf(process.env.DATABASE_URL)('group commit on a database error', () => {
  it('fails the whole batch retryably when its connection dies mid-write, leaving nothing; the retries then commit once', async () => {
    const [ana, bob] = await Promise.all([server.member(tenant, 'kill-ana'), server.member(tenant, 'kill-bob')]);
    const first = await room(ana, [bob]);
    const second = await room(bob, [ana]);
    const [anaActor, bobActor] = await Promise.all([actorOf(ana), actorOf(bob)]);
    // An agent's first message into a support conversation enrols them (a write before the batch's
    // main statement). Bob's membership row of the second room is held: the batch locks the rooms,
    // enrols the agent, then its statement that numbers, inserts and raises watermarks waits on
    // that row. There its connection is killed.
    const visitor = await server.guest(tenant, 'Kill visitor');
    const conversation = await server.request<{ id: string }>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: {},
    });
    const agent = await server.member(tenant, 'kill-agent', { role: 'agent' });
    const agentActor = await actorOf(agent);
    const holder: Knex.Transaction = await server.db.transaction();
    try {
      await holder('memberships').where({ roomId: second.id, userId: bob.user.id }).forUpdate().select('role');
      const holderPid = Number((await holder.raw('select pg_backend_pid() as pid')).rows[0].pid);
      const sends: Send[] = [
        { actor: anaActor, roomId: first.id, clientId: 'k-1' },
        { actor: bobActor, roomId: first.id, clientId: 'k-2' },
        { actor: bobActor, roomId: second.id, clientId: 'k-3' },
        { actor: anaActor, roomId: second.id, clientId: 'k-4' },
        { actor: agentActor, roomId: conversation.body.id, clientId: 'k-5' },
      ];
      const pending = together(sends);
      const victim = await until('the batch to wait on the held row', async () => {
        const rows = await server.db.raw(`select pid, query from pg_stat_activity where ? = any(pg_blocking_pids(pid))`, [holderPid]);
        const row = (rows.rows as { pid: number; query: string }[])[0];
        return row ? row : null;
      });
      expect(victim.query).toMatch(/insert into messages/);
      await server.db.raw('select pg_terminate_backend(?)', [victim.pid]);
      const { settled } = await pending;
      expect(settled.map((s) => (s.ok ? 'ok' : s.code))).toEqual([
        'unavailable',
        'unavailable',
        'unavailable',
        'unavailable',
        'unavailable',
      ]);
      await holder.rollback();
      expect([...(await stored(first.id)), ...(await stored(second.id))]).toEqual([]);
      expect(await server.db('memberships').where({ roomId: conversation.body.id, userId: agent.user.id }).first()).toBeUndefined();
      const seqs = await server.db('rooms').whereIn('id', [first.id, second.id]).pluck('last_seq');
      expect(seqs.map(Number)).toEqual([0, 0]);

      // Clients retry with the same clientIds: each message is stored once, numbered from 1.
      const retried = await together(sends);
      expect(retried.settled.every((s) => s.ok && s.result.created)).toBe(true);
      expect((await stored(first.id)).map((r) => `${r.seq}:${r.clientId}`)).toEqual(['1:k-1', '2:k-2']);
      expect((await stored(second.id)).map((r) => `${r.seq}:${r.clientId}`)).toEqual(['1:k-3', '2:k-4']);
      expect(await server.db('memberships').where({ roomId: conversation.body.id, userId: agent.user.id }).first('role')).toEqual({
        role: 'agent',
      });
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }
  });
});
