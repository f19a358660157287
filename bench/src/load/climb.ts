// P1's rising send rate, for several servers at once: each rate is tried on every server still
// climbing, one right after the other, so that what else runs on a shared machine weighs on all
// of them alike rather than on whichever happened to be measured while the neighbours were busy.
import type { BenchContext } from '../context.js';
import type { ServerProcess } from '../processes.js';
import { round, sleep } from '../stats.js';
import type { FanoutFleet, StepResult } from './fanout.js';

export const P99_LIMIT_MS = 50;

export const holds = (s: StepResult) => !s.behind && s.latency.p99 <= P99_LIMIT_MS;

/** The rates tried in order until one fails; then the gap to the failed one is halved. */
export function rateSteps(quick: boolean): number[] {
  return quick ? [5, 20, 40, 80, 160, 320] : [5, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480];
}

/** One server climbing: its fleet, and every step it ran. */
export interface Climber {
  label: string;
  fleet: FanoutFleet;
  servers: ServerProcess[];
  steps: StepResult[];
  /** The highest rate that held so far, and the lowest that failed (0: none yet). */
  low: number;
  high: number;
}

export function climber(label: string, fleet: FanoutFleet, servers: ServerProcess[]): Climber {
  return { label, fleet, servers, steps: [], low: 0, high: 0 };
}

/** The step at `rate` to report: one that held if any did, else the last attempt. */
export function atRate(steps: StepResult[], rate: number): StepResult | undefined {
  const attempts = steps.filter((s) => s.rate === rate);
  return attempts.filter(holds).at(-1) ?? attempts.at(-1);
}

/** The highest rate that held, and the lowest that never did (null when none). */
export function bounds(steps: StepResult[]): { best: StepResult | null; failed: StepResult | null } {
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b);
  const held = rates.filter((r) => steps.some((s) => s.rate === r && holds(s)));
  const failed = rates.find((r) => !held.includes(r));
  const top = held.at(-1);
  return {
    best: top === undefined ? null : (atRate(steps, top) ?? null),
    failed: failed === undefined ? null : (atRate(steps, failed) ?? null),
  };
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

async function once(ctx: BenchContext, c: Climber, rate: number): Promise<boolean> {
  const step = await c.fleet.step(rate, ctx.quick ? 2_000 : 5_000, 3_000, c.servers);
  c.steps.push(step);
  ctx.log(
    `  ${c.label} ${rate} msg/s: ${Math.round(step.deliveriesPerSec).toLocaleString('en-US')} deliveries/s, ` +
      `p99 ${round(step.latency.p99)} ms${step.behind ? ' (behind)' : ''}; server ${round(step.serverCores, 2)} cores ` +
      `(loop delay p99 ${round(step.serverLoop.p99)} ms), generator ${round(step.generatorCores, 2)} ` +
      `(busiest process ${pct(step.generatorBusiest)}), the rest of the machine ${round(step.otherCores, 2)}`,
  );
  // A server left behind is still sending the backlog: the next step must not pay for it.
  if (!holds(step)) await c.fleet.settle(15_000).then(() => sleep(1_000));
  return holds(step);
}

/**
 * Whether `rate` holds on `c`: a failed step is tried once more, since on a shared machine a
 * neighbour's hiccup can fail one step; the limit is what fails again.
 */
export async function attempt(ctx: BenchContext, c: Climber, rate: number): Promise<boolean> {
  return (await once(ctx, c, rate)) || (await once(ctx, c, rate));
}

/**
 * Steps the rate up on every climber until it fails a rate (p99 over 50 ms or deliveries behind,
 * twice), then halves the gap between the highest rate it held and that one (twice; once in --quick).
 */
export async function climb(ctx: BenchContext, climbers: Climber[]): Promise<void> {
  const first = rateSteps(ctx.quick)[0] ?? 5;
  // Warm-up (JIT, connection buffers), not reported.
  for (const c of climbers) await c.fleet.step(first, 2_000, 3_000, c.servers);
  for (const rate of rateSteps(ctx.quick)) {
    const going = climbers.filter((c) => !c.high);
    if (!going.length) break;
    for (const c of going) {
      if (await attempt(ctx, c, rate)) c.low = rate;
      else c.high = rate;
    }
  }
  for (let i = 0; i < (ctx.quick ? 1 : 2); i++) {
    for (const c of climbers) {
      const mid = Math.round((c.low + c.high) / 2);
      if (!c.high || mid === c.low || mid === c.high) continue;
      if (await attempt(ctx, c, mid)) c.low = mid;
      else c.high = mid;
    }
  }
}
