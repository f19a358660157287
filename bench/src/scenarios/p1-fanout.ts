import { createRoom, createTenant, signInUsers, startBaseline, startConfab, type Tenant } from '../confab.js';
import { type BenchContext, profiled } from '../context.js';
import { atRate, attempt, bounds, climb, type Climber, climber, holds, P99_LIMIT_MS } from '../load/climb.js';
import { type FanoutFleet, type MemberSpec, startFanoutFleet, type StepResult } from '../load/fanout.js';
import type { ServerProcess } from '../processes.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, round } from '../stats.js';

export const MEMBERS = 1_000;
export const SENDERS = 10;
/**
 * The members' generator processes, 500 members each. On 2 cores one process with socket.io-client
 * reached 98% of a core at 60 msg/s; with the lean client two stay under half a core each at 140
 * msg/s, and more processes only add scheduling contention with the server (a higher p99 at the same rate).
 */
export const GENERATOR_PROCESSES = 2;
const pct = (share: number) => `${Math.round(share * 100)}%`;
const n = (value: number) => Math.round(value).toLocaleString('en-US');

export interface Climb {
  steps: StepResult[];
  /** The highest rate that held (p99 ≤ 50 ms, nothing behind). */
  best: StepResult | null;
  /** The lowest rate that never held. */
  failed: StepResult | null;
  lost: { messages: number; deliveries: number };
  clockSkewUs: number;
}

const outcome = async (c: Climber): Promise<Climb> => ({
  steps: c.steps,
  ...bounds(c.steps),
  lost: await c.fleet.lost(5_000),
  clockSkewUs: c.fleet.clockSkewUs,
});

/** `count` signed-in members of one new room on `node`; the first `SENDERS` send. */
export async function confabRoom(
  ctx: BenchContext,
  node: ServerProcess,
  count: number,
): Promise<{ tenant: Tenant; roomId: string; members: MemberSpec[]; tokens: string[] }> {
  const tenant = await createTenant(ctx.env);
  const users = await signInUsers(node.url, tenant, count);
  const roomId = await createRoom(node.url, tenant, itemAt(users, 0), users);
  const members = users.map((u, i) => ({ url: node.url, app: tenant.id, token: u.accessToken, group: 'all', sender: i < SENDERS }));
  return { tenant, roomId, members, tokens: users.map((u) => u.accessToken) };
}

/** The bare server's members: no credentials, the room is just a name. */
export function baselineMembers(node: ServerProcess, count: number): MemberSpec[] {
  return Array.from({ length: count }, (_, i) => ({ url: node.url, group: 'all', sender: i < SENDERS }));
}

/**
 * Both servers up at once, each with its own fleet, climbing together (a rate on Confab, then on
 * the bare server); the baseline is also measured at Confab's best rate.
 */
async function measure(ctx: BenchContext): Promise<{ confab: Climb; baseline: Climb }> {
  const node = await startConfab(ctx.env, 'p1-confab');
  const bare = await startBaseline(ctx.env, 'p1-baseline');
  const fleets: FanoutFleet[] = [];
  try {
    const { roomId, members } = await confabRoom(ctx, node, MEMBERS);
    fleets.push(await startFanoutFleet({ roomId, members, processes: GENERATOR_PROCESSES }));
    fleets.push(await startFanoutFleet({ roomId: 'bench-room', members: baselineMembers(bare, MEMBERS), processes: GENERATOR_PROCESSES }));
    const confab = climber('confab', itemAt(fleets, 0), [node]);
    const baseline = climber('baseline', itemAt(fleets, 1), [bare]);
    // Both profiled (with --profile): the same steps' CPU, server by server.
    await profiled(ctx, node, 'p1-confab', () => profiled(ctx, bare, 'p1-baseline', () => climb(ctx, [confab, baseline])));
    const best = bounds(confab.steps).best;
    if (best && !baseline.steps.some((s) => s.rate === best.rate)) await attempt(ctx, baseline, best.rate);
    return { confab: await outcome(confab), baseline: await outcome(baseline) };
  } finally {
    await Promise.all(fleets.map((f) => f.close()));
    await Promise.all([node.stop(), bare.stop()]);
  }
}

/** Whether the generator, rather than the server, could have been the limit at the step that failed. */
function limitNote(who: string, run: Climb): string {
  const f = run.failed;
  if (!f) return `${who} held every rate tried: the highest rate tried is the limit of this benchmark, not of ${who}`;
  if (!run.best) return `${who} did not hold even the lowest rate tried (${f.rate} msg/s, p99 ${round(f.latency.p99)} ms)`;
  const where =
    `${who} failed at ${f.rate} msg/s (${n(f.deliveriesPerSec)} deliveries/s, ` +
    `p99 ${round(f.latency.p99)} ms${f.behind ? ', behind' : ''}); there the server used ${round(f.serverCores, 2)} cores, ` +
    `the ${GENERATOR_PROCESSES} generator processes ${round(f.generatorCores, 2)} ` +
    `(the busiest ${pct(f.generatorBusiest)} of a core), the rest of the machine (PostgreSQL, Redis, other work) ` +
    `${round(f.otherCores, 2)}: its cores were ${pct(f.machineBusy)} busy`;
  if (f.generatorBusiest >= 0.9) return `${where}: a generator process was saturated, so this is the generator's limit`;
  if (f.machineBusy >= 0.9)
    return `${where}: no generator process was saturated, but the machine was (server and generator share its cores)`;
  return `${where}: neither a generator process nor the machine was saturated`;
}

/** `bestRate`: Confab's highest rate that held (its first rate when none did), for P6; `held`: whether one did. */
export async function p1Fanout(ctx: BenchContext): Promise<ScenarioResult & { bestRate: number; held: boolean }> {
  const { confab, baseline } = await measure(ctx);
  const c = confab.best ?? itemAt(confab.steps, 0);
  const b = baseline.best ?? itemAt(baseline.steps, 0);
  // p99 and CPU compared at the same rate: Confab's best against the baseline's step at that rate.
  const bSame = atRate(baseline.steps, c.rate) ?? b;
  const met =
    Boolean(confab.best) &&
    c.deliveriesPerSec >= 0.9 * b.deliveriesPerSec &&
    c.latency.p99 <= 1.5 * bSame.latency.p99 &&
    confab.lost.messages === 0;
  const tried = (run: Climb) =>
    [...run.steps]
      .sort((x, y) => x.rate - y.rate)
      .map((s) => `${s.rate}${holds(s) ? '' : '✗'}`)
      .join(', ');
  return {
    id: 'P1',
    title: `fan-out: one room, ${n(MEMBERS)} members, rising send rate`,
    baseline: 'bare Socket.IO',
    rows: [
      { metric: 'highest sustained rate (messages/s into the room)', confab: c.rate, baseline: b.rate, better: 'higher' },
      { metric: 'sustained deliveries/s', confab: c.deliveriesPerSec, baseline: b.deliveriesPerSec, better: 'higher' },
      { metric: `p50 send→receive at ${c.rate} msg/s`, confab: c.latency.p50, baseline: bSame.latency.p50, unit: 'ms', better: 'lower' },
      { metric: `p99 send→receive at ${c.rate} msg/s`, confab: c.latency.p99, baseline: bSame.latency.p99, unit: 'ms', better: 'lower' },
      {
        metric: `p99.9 send→receive at ${c.rate} msg/s`,
        confab: c.latency.p999,
        baseline: bSame.latency.p999,
        unit: 'ms',
        better: 'lower',
      },
      {
        metric: `server CPU-seconds per 1,000 deliveries at ${c.rate} msg/s`,
        confab: c.cpuSecPer1k,
        baseline: bSame.cpuSecPer1k,
        unit: 's',
        better: 'lower',
      },
      { metric: 'acked messages lost (all steps)', confab: confab.lost.messages, baseline: baseline.lost.messages },
      {
        metric: `generator at ${c.rate} msg/s: cores in all / busiest process`,
        confab: `${round(c.generatorCores, 2)} / ${pct(c.generatorBusiest)}`,
        baseline: `${round(bSame.generatorCores, 2)} / ${pct(bSame.generatorBusiest)}`,
      },
    ],
    target: {
      text: 'sustained deliveries/s ≥ 0.9 × the bare server, p99 ≤ 1.5 × its p99 at the same rate, zero loss',
      met,
    },
    notes: [
      `${n(MEMBERS)} members in ${GENERATOR_PROCESSES} generator processes (${SENDERS} of them send, each process ` +
        `its share of the rate); ${ctx.quick ? 2 : 5} s per step; a step holds when p99 ≤ ${P99_LIMIT_MS} ms and every copy ` +
        'arrived within 0.5 s of the last send; a step that fails is tried once more, and after a rate failed twice the gap ' +
        'to the highest rate that held is halved',
      'both servers were up at once, each with its own generator processes, and climbed together (each rate on Confab, then ' +
        "on the bare server), so that other work on the machine weighs on both alike; the baseline also ran Confab's best rate",
      `rates tried (msg/s, ✗ = did not hold): Confab ${tried(confab)}; baseline ${tried(baseline)}`,
      'latency: the sender writes its send instant (CLOCK_MONOTONIC, µs) into the clientId, the receiving process subtracts it ' +
        `from its own reading; the processes' clocks agreed within ${round(Math.max(confab.clockSkewUs, baseline.clockSkewUs), 0)} µs ` +
        '(IPC ping)',
      limitNote('the baseline', baseline),
      limitNote('Confab', confab),
    ],
    raw: { confab, baseline },
    bestRate: c.rate,
    held: Boolean(confab.best),
  };
}
