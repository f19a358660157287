// S1: a soak. P1's room (1,000 members in the generator processes) at a rate Confab holds, for 5
// minutes, while other members keep connecting, joining, leaving and disconnecting; the server's
// heap after a full GC at the end must be within 10% of the start (same sockets connected).
import { startBaseline, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { type ChurnSpec, type ChurnTotals, type FanoutFleet, type MemberSpec, startFanoutFleet, type StepResult } from '../load/fanout.js';
import type { ProcessStats, ServerProcess } from '../processes.js';
import type { ScenarioResult } from '../report.js';
import { percentile, round, sleep } from '../stats.js';
import { baselineMembers, confabRoom, GENERATOR_PROCESSES, MEMBERS } from './p1-fanout.js';

/** The default rate (20,000 deliveries/s); lower when P1 found Confab holding less. */
const SOAK_RATE = 20;
const STEP_MS = 10_000;
/** Members who come and go (signed in and in the room, like the others), and how many churn at once per process. */
const CHURN_USERS = 100;
const CHURN_LANES = 10;
const HOLD_MS: [number, number] = [500, 3_000];
const SOURCES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const MAX_GROWTH = 1.1;
const MB = 1024 * 1024;

interface Soak {
  rate: number;
  start: ProcessStats;
  end: ProcessStats;
  /** Heap after a full GC, every minute (every 10 s in --quick), MB. */
  heapMb: number[];
  steps: StepResult[];
  churn: ChurnTotals;
  lost: { messages: number; deliveries: number };
  seconds: number;
}

async function soak(
  ctx: BenchContext,
  label: string,
  node: ServerProcess,
  fleet: FanoutFleet,
  churn: ChurnSpec,
  rate: number,
): Promise<Soak> {
  const durationMs = ctx.quick ? 30_000 : 300_000;
  const sampleEvery = ctx.quick ? 1 : 6;
  // Warm-up (JIT, buffers, caches), then the start figure with the same members connected as at the end.
  await fleet.step(rate, STEP_MS, 3_000, [node]);
  await fleet.settle(10_000);
  const start = await node.stats(true);
  const heapMb = [start.heapUsed / MB];
  const steps: StepResult[] = [];
  // A failure on the way leaves the churn to the fleet's close.
  await fleet.startChurn(churn);
  const began = Date.now();
  while (Date.now() - began < durationMs) {
    const step = await fleet.step(rate, STEP_MS, 3_000, [node]);
    steps.push(step);
    if (steps.length % sampleEvery === 0) heapMb.push((await node.stats(true)).heapUsed / MB);
    ctx.log(
      `  ${label} ${Math.round((Date.now() - began) / 1000)} s: ${Math.round(step.deliveriesPerSec)} deliveries/s, ` +
        `p99 ${round(step.latency.p99)} ms${step.behind ? ' (behind)' : ''}, server ${round(step.serverCores, 2)} cores ` +
        `(loop delay p99 ${round(step.serverLoop.p99)} ms), heap ${round(heapMb.at(-1) ?? NaN)} MB`,
    );
  }
  const totals = await fleet.stopChurn();
  const seconds = (Date.now() - began) / 1000;
  const lost = await fleet.lost(5_000);
  // Let the server finish with the last disconnects before the end figure.
  await sleep(3_000);
  const end = await node.stats(true);
  heapMb.push(end.heapUsed / MB);
  return { rate, start, end, heapMb, steps, churn: totals, lost, seconds };
}

async function measure(
  ctx: BenchContext,
  label: string,
  node: ServerProcess,
  room: { roomId: string; members: MemberSpec[]; churn: ChurnSpec },
  rate: number,
): Promise<Soak> {
  const fleet = await startFanoutFleet({ roomId: room.roomId, members: room.members, processes: GENERATOR_PROCESSES });
  try {
    return await soak(ctx, label, node, fleet, room.churn, rate);
  } finally {
    await fleet.close();
  }
}

async function measureConfab(ctx: BenchContext, rate: number): Promise<Soak> {
  const node = await startConfab(ctx.env, 's1-confab');
  try {
    const { tenant, roomId, members, tokens } = await confabRoom(ctx, node, MEMBERS + CHURN_USERS);
    const churn: ChurnSpec = {
      url: node.url,
      app: tenant.id,
      tokens: tokens.slice(MEMBERS),
      roomId,
      lanes: CHURN_LANES,
      holdMs: HOLD_MS,
      localAddresses: SOURCES,
    };
    return await measure(ctx, 'confab', node, { roomId, members: members.slice(0, MEMBERS), churn }, rate);
  } finally {
    await node.stop();
  }
}

async function measureBaseline(ctx: BenchContext, rate: number): Promise<Soak> {
  const node = await startBaseline(ctx.env, 's1-baseline');
  try {
    const roomId = 'bench-room';
    const churn: ChurnSpec = { url: node.url, tokens: [], roomId, lanes: CHURN_LANES, holdMs: HOLD_MS, localAddresses: SOURCES };
    return await measure(ctx, 'baseline', node, { roomId, members: baselineMembers(node, MEMBERS), churn }, rate);
  } finally {
    await node.stop();
  }
}

const growth = (s: Soak) => s.end.heapUsed / s.start.heapUsed;
const stepP99s = (s: Soak) => Float64Array.from(s.steps.map((step) => step.latency.p99)).sort();
const deliveries = (s: Soak) => s.steps.reduce((sum, step) => sum + step.delivered, 0);
const trend = (s: Soak) => s.heapMb.map((mb) => round(mb)).join(' → ');

/** `p1Best`: the highest rate P1 found Confab holding in this run, when it ran. */
export async function s1Soak(ctx: BenchContext, p1Best: number | null): Promise<ScenarioResult> {
  const rate = p1Best ? Math.min(SOAK_RATE, p1Best) : SOAK_RATE;
  const confab = await measureConfab(ctx, rate);
  const baseline = await measureBaseline(ctx, rate);
  const behind = confab.steps.filter((s) => s.behind).length;
  return {
    id: 'S1',
    title: `soak: ${MEMBERS.toLocaleString('en-US')} members at ${rate} msg/s for ${ctx.quick ? '30 s' : '5 minutes'}, with churn`,
    baseline: 'bare Socket.IO',
    rows: [
      { metric: 'heap after full GC at the start', confab: confab.start.heapUsed / MB, baseline: baseline.start.heapUsed / MB, unit: 'MB' },
      { metric: 'heap after full GC at the end', confab: confab.end.heapUsed / MB, baseline: baseline.end.heapUsed / MB, unit: 'MB' },
      { metric: 'end ÷ start', confab: growth(confab), baseline: growth(baseline), better: 'lower' },
      {
        metric: 'RSS start → end',
        confab: `${round(confab.start.rss / MB)} → ${round(confab.end.rss / MB)} MB`,
        baseline: `${round(baseline.start.rss / MB)} → ${round(baseline.end.rss / MB)} MB`,
      },
      {
        metric: 'churn: sockets that connected, joined, left and disconnected / errors',
        confab: `${confab.churn.cycles} / ${confab.churn.errors}`,
        baseline: `${baseline.churn.cycles} / ${baseline.churn.errors}`,
      },
      { metric: 'deliveries (all steps)', confab: deliveries(confab), baseline: deliveries(baseline), better: 'higher' },
      {
        metric: 'p99 send→receive: median step / worst step',
        confab: `${round(percentile(stepP99s(confab), 50))} / ${round(stepP99s(confab).at(-1) ?? NaN)} ms`,
        baseline: `${round(percentile(stepP99s(baseline), 50))} / ${round(stepP99s(baseline).at(-1) ?? NaN)} ms`,
      },
      { metric: 'acked messages lost', confab: confab.lost.messages, baseline: baseline.lost.messages },
    ],
    target: {
      text: `heap after a full GC at the end within ${Math.round((MAX_GROWTH - 1) * 100)}% of the start; nothing lost`,
      met: growth(confab) <= MAX_GROWTH && confab.lost.messages === 0,
    },
    notes: [
      `${MEMBERS.toLocaleString('en-US')} members in ${GENERATOR_PROCESSES} generator processes ` +
        `at ${rate} msg/s in ${STEP_MS / 1000} s steps ` +
        `for ${round(confab.seconds, 0)} s; meanwhile ${GENERATOR_PROCESSES * CHURN_LANES} loops of socket.io-client sockets ` +
        `(${CHURN_USERS} more members) connect, join the room, ` +
        `stay ${HOLD_MS[0] / 1000}–${HOLD_MS[1] / 1000} s, leave and disconnect`,
      'start: after a 10 s warm-up step, heap after a full GC; end: churn stopped, 3 s later, heap after a full GC ' +
        '(the same 1,000 members connected)',
      `Confab's heap after GC over the soak (MB): ${trend(confab)}; the baseline's: ${trend(baseline)}`,
      ...(behind ? [`Confab fell behind in ${behind} of ${confab.steps.length} steps`] : []),
      ...(confab.churn.sampleError ? [`a churn error: ${confab.churn.sampleError}`] : []),
    ],
    raw: { confab, baseline },
  };
}
