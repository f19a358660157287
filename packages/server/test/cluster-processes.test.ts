import { type ChatClient, createClient, type MessageDto, type Room } from '@confab/sdk';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PRESENCE_TTL_MS } from '../src/redis/presence.js';
import { type CliCluster, createCliCluster, type FrontDoor, frontDoor } from './helpers/cli-cluster.js';
import { killCliProcesses, startCli, type StartedCli } from './helpers/cli-process.js';
import { itemAt } from './helpers/items.js';
import { sleep, until } from './helpers/wait.js';

const { DATABASE_URL, REDIS_URL } = process.env;
interface Row {
  id: string;
  seq: number;
  client_id: string;
  text: string;
}

const stateOf = (room: Room) =>
  room.state
    .get()
    .messages.filter((m) => m.seq > 0)
    .map((m) => `${m.seq}:${m.id}`);
const onlineIn = (room: Room, userId: string) => room.state.get().presence[userId]?.online;

describe.runIf(DATABASE_URL && REDIS_URL)('three server processes on one PostgreSQL and Redis', () => {
  // Own database and Redis prefix: another cluster on the same Redis (a benchmark, a parallel
  // run) would otherwise sweep its dead users and break the presence checks.
  let cluster: CliCluster | undefined;
  const doors: FrontDoor[] = [];
  const clients: ChatClient[] = [];
  const presenceSeen: { observer: string; userId: string; online: boolean }[] = [];
  let nodes: StartedCli[] = [];
  let carolDoor: FrontDoor;
  let ids: Record<'alice' | 'bob' | 'carol' | 'dave', string>;
  let rooms: Record<'alice' | 'bob' | 'carol' | 'dave', Room>;
  let carol: ChatClient;
  let killedAt = 0;

  const rows = async () =>
    (
      await cluster!.db.query<Row>('select id, seq::int as seq, client_id, text from messages where room_id = $1 order by seq', [
        rooms.alice.id,
      ])
    ).rows;

  beforeAll(async () => {
    cluster = await createCliCluster('cluster');
    // Started together on an empty database: they also have to agree on who migrates it.
    nodes = await Promise.all([startCli(cluster.env), startCli(cluster.env), startCli(cluster.env)]);
    const app = await cluster.createApp('Cluster');

    const [a, b, c] = [itemAt(nodes, 0), itemAt(nodes, 1), itemAt(nodes, 2)];
    carolDoor = await frontDoor([c.port, a.port, b.port]);
    doors.push(carolDoor);
    const signIn = async (name: string, url: string) => {
      const client = createClient({ url, app: app.id });
      clients.push(client);
      const token = () =>
        Promise.resolve(jwt.sign({ name }, app.secret, { algorithm: 'HS256', subject: name, audience: app.id, expiresIn: '1h' }));
      const user = await client.connectUser(token);
      client.on('presence', (event) => presenceSeen.push({ observer: name, userId: event.userId, online: event.online }));
      return { client, id: user.id };
    };
    // Dave talks to C directly, with nothing to fail over to: he stays gone when C dies.
    const [alice, bob, carolIn, dave] = await Promise.all([
      signIn('alice', a.base),
      signIn('bob', b.base),
      signIn('carol', carolDoor.url),
      signIn('dave', c.base),
    ]);
    carol = carolIn.client;
    ids = { alice: alice.id, bob: bob.id, carol: carolIn.id, dave: dave.id };
    const room = await alice.client.rooms.create({ name: 'Across nodes', kind: 'group', memberIds: [bob.id, carolIn.id, dave.id] });
    const watch = ({ client }: { client: ChatClient }) => client.room(room.id).watch();
    const [ra, rb, rc, rd] = await Promise.all([watch(alice), watch(bob), watch(carolIn), watch(dave)]);
    rooms = { alice: ra, bob: rb, carol: rc, dave: rd };
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const door of doors) door.close();
    await Promise.race([Promise.all(nodes.map((node) => node.stop())), sleep(10_000)]);
    killCliProcesses();
    await cluster?.destroy();
  }, 30_000);

  it('delivers a message sent on each node to the users on the other two', async () => {
    expect(new Set(nodes.map((node) => node.port)).size).toBe(3);
    expect(new Set(carolDoor.routed)).toEqual(new Set([itemAt(nodes, 2).port]));
    await Promise.all([rooms.alice.send('hello from A'), rooms.bob.send('hello from B'), rooms.carol.send('hello from C')]);
    const texts = (room: Room) =>
      room.state
        .get()
        .messages.filter((m) => m.seq > 0)
        .map((m) => m.text);
    for (const [name, room] of Object.entries(rooms)) {
      await until(`${name} to hear every node`, () =>
        ['hello from A', 'hello from B', 'hello from C'].every((t) => texts(room).includes(t)),
      );
    }
  });

  it('shows every user online to the others, whichever node each is on', async () => {
    for (const [observer, room] of Object.entries(rooms)) {
      for (const [name, id] of Object.entries(ids)) {
        if (name !== observer) await until(`${observer} to see ${name} online`, () => onlineIn(room, id) === true);
      }
    }
  });

  it('keeps every acked message exactly once when a node is SIGKILLed mid-conversation; its client catches up elsewhere', async () => {
    const [a, c] = [itemAt(nodes, 0), itemAt(nodes, 2)];
    const acked: MessageDto[] = [];
    // Bob writes while carol is cut off: she can only get these through catch-up.
    const away: { statuses?: Promise<string[]> } = {};
    const offCarol = carol.on('connection:changed', (status) => {
      if (status !== 'offline' || away.statuses) return;
      away.statuses = (async () => {
        const statusAtAck: string[] = [];
        for (let i = 1; i <= 3; i++) {
          acked.push(await rooms.bob.send(`bob while carol away #${i}`));
          statusAtAck.push(carol.status);
        }
        return statusAtAck;
      })();
    });

    const aliceSeries = (async () => {
      for (let i = 1; i <= 12; i++) {
        acked.push(await rooms.alice.send(`alice #${i}`));
        await sleep(20);
      }
    })();
    for (let i = 1; i <= 12; i++) {
      const sent = rooms.carol.send(`carol #${i}`);
      // Killed with carol's fifth message on the wire: committed or not, she must not lose or double it.
      if (i === 5) {
        c.child.kill('SIGKILL');
        killedAt = Date.now();
      }
      acked.push(await sent);
    }
    await aliceSeries;
    expect(await c.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await until('bob to write while carol is away', () => away.statuses);
    expect(await away.statuses).toEqual(['offline', 'offline', 'offline']);
    offCarol();
    await until('carol to be back online', () => carol.status === 'online');

    // Her reconnections skipped the dead node and went to the next one, A.
    const afterKill = carolDoor.routed.slice(carolDoor.routed.lastIndexOf(c.port) + 1);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(new Set(afterKill)).toEqual(new Set([a.port]));

    const stored = await rows();
    const expected = [
      'hello from A',
      'hello from B',
      'hello from C',
      ...[1, 2, 3].map((i) => `bob while carol away #${i}`),
      ...Array.from({ length: 12 }, (_, i) => [`alice #${i + 1}`, `carol #${i + 1}`]).flat(),
    ];
    expect(stored.map((r) => r.text).sort()).toEqual(expected.sort());
    expect(stored.map((r) => r.seq)).toEqual(stored.map((_, i) => i + 1));
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const message of acked) {
      expect(byId.get(message.id), message.text).toMatchObject({ seq: message.seq, client_id: message.clientId, text: message.text });
    }

    // Everyone still connected, and carol after her catch-up, holds exactly what the database holds.
    const truth = stored.map((r) => `${r.seq}:${r.id}`);
    for (const name of ['alice', 'bob', 'carol'] as const) {
      // Waited for, then compared, so that a mismatch fails with the difference rather than a timeout.
      await until(`${name}'s room to equal the database`, () => stateOf(rooms[name]).join() === truth.join(), 10_000).catch(
        () => undefined,
      );
      expect(stateOf(rooms[name]), name).toEqual(truth);
    }
  }, 60_000);

  it(
    'reports a user stranded on the killed node offline within the presence TTL, and never the user who reconnected',
    async () => {
      expect(killedAt).toBeGreaterThan(0);
      // Nothing tells the others that C died: dave's connection lives on in Redis until its
      // expiry (at most PRESENCE_TTL_MS after C's last heartbeat), then the next sweep (every TTL/3) reports it.
      const deadline = killedAt + PRESENCE_TTL_MS + PRESENCE_TTL_MS / 3 + 5_000;
      for (const name of ['alice', 'bob', 'carol'] as const) {
        await until(`${name} to see dave offline`, () => onlineIn(rooms[name], ids.dave) === false, Math.max(1_000, deadline - Date.now()));
      }
      expect(presenceSeen.filter((e) => e.userId === ids.carol && !e.online)).toEqual([]);

      // A fresh join asks the servers again instead of trusting the events.
      await rooms.alice.unwatch();
      await rooms.alice.watch();
      expect(rooms.alice.state.get().presence).toMatchObject({
        [ids.bob]: { online: true },
        [ids.carol]: { online: true },
        [ids.dave]: { online: false },
      });
      expect(onlineIn(rooms.bob, ids.carol)).toBe(true);
      expect(onlineIn(rooms.carol, ids.alice)).toBe(true);
      expect(onlineIn(rooms.carol, ids.bob)).toBe(true);
    },
    PRESENCE_TTL_MS * 2,
  );
});
