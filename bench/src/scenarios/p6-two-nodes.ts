import { randomBytes } from 'node:crypto';

import { createRoom, createTenant, signInUsers, startBaseline, startConfab } from '../confab.js';
import type { BenchContext } from '../context.js';
import { groupLatency, type MemberSpec, startFanoutFleet, type StepResult } from '../load/fanout.js';
import type { ServerProcess } from '../processes.js';
import type { ScenarioResult } from '../report.js';
import { itemAt, round } from '../stats.js';
import { GENERATOR_PROCESSES, MEMBERS, SENDERS } from './p1-fanout.js';

/** Members alternate between node A (even) and B (odd); the senders are the first even ones, so B's members hear them across Redis. */
function split(nodes: [ServerProcess, ServerProcess], credentials?: { app: string; tokens: string[] }): MemberSpec[] {
  return Array.from({ length: MEMBERS }, (_, i) => ({
    url: itemAt(nodes, i % 2).url,
    ...(credentials ? { app: credentials.app, token: itemAt(credentials.tokens, i) } : {}),
    group: i % 2 === 0 ? 'same' : 'cross',
    sender: i % 2 === 0 && i < 2 * SENDERS,
  }));
}

async function runSplit(
  ctx: BenchContext,
  label: string,
  nodes: [ServerProcess, ServerProcess],
  members: MemberSpec[],
  roomId: string,
  rate: number,
): Promise<{ step: StepResult; lost: number }> {
  const fleet = await startFanoutFleet({ roomId, members, processes: GENERATOR_PROCESSES });
  try {
    // Warm-up (JIT, connection buffers, the adapter's channels), not reported.
    await fleet.step(rate, 2_000, 3_000, nodes);
    const step = await fleet.step(rate, ctx.quick ? 3_000 : 8_000, 3_000, nodes);
    ctx.log(
      `  ${label} ${rate} msg/s: same-node p99 ${round(groupLatency(step, 'same').p99)} ms, ` +
        `cross-node p99 ${round(groupLatency(step, 'cross').p99)} ms`,
    );
    return { step, lost: (await fleet.lost(5_000)).messages };
  } finally {
    await fleet.close();
  }
}

async function measureConfab(ctx: BenchContext, rate: number) {
  const nodes = [await startConfab(ctx.env, 'p6-confab-a'), await startConfab(ctx.env, 'p6-confab-b')] as [ServerProcess, ServerProcess];
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(nodes[0].url, tenant, MEMBERS);
    const roomId = await createRoom(nodes[0].url, tenant, itemAt(users, 0), users);
    const members = split(nodes, { app: tenant.id, tokens: users.map((u) => u.accessToken) });
    return await runSplit(ctx, 'confab', nodes, members, roomId, rate);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

async function measureBaseline(ctx: BenchContext, rate: number) {
  const cluster = randomBytes(4).toString('hex');
  const nodes = [await startBaseline(ctx.env, 'p6-baseline-a', cluster), await startBaseline(ctx.env, 'p6-baseline-b', cluster)] as [
    ServerProcess,
    ServerProcess,
  ];
  try {
    return await runSplit(ctx, 'baseline', nodes, split(nodes), 'bench-room', rate);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

export async function p6TwoNodes(ctx: BenchContext, rate: number): Promise<ScenarioResult> {
  const baseline = await measureBaseline(ctx, rate);
  const confab = await measureConfab(ctx, rate);
  const c = confab.step;
  const b = baseline.step;
  const crossOverSame = (s: StepResult) => groupLatency(s, 'cross').p99 / groupLatency(s, 'same').p99;
  return {
    id: 'P6',
    title: `two nodes over Redis: P1's best rate (${rate} msg/s), members split across the nodes`,
    baseline: 'bare Socket.IO + Redis adapter',
    rows: [
      { metric: 'deliveries/s', confab: c.deliveriesPerSec, baseline: b.deliveriesPerSec, better: 'higher' },
      { metric: 'same-node p99', confab: groupLatency(c, 'same').p99, baseline: groupLatency(b, 'same').p99, unit: 'ms', better: 'lower' },
      {
        metric: 'cross-node p99',
        confab: groupLatency(c, 'cross').p99,
        baseline: groupLatency(b, 'cross').p99,
        unit: 'ms',
        better: 'lower',
      },
      { metric: 'cross-node p99 ÷ same-node p99', confab: crossOverSame(c), baseline: crossOverSame(b), better: 'lower' },
      { metric: 'acked messages lost', confab: confab.lost, baseline: baseline.lost },
    ],
    target: { text: 'cross-node p99 ≤ 1.5 × same-node p99', met: crossOverSame(c) <= 1.5 && confab.lost === 0 && !c.behind },
    notes: [
      `${MEMBERS.toLocaleString('en-US')} members in ${GENERATOR_PROCESSES} generator processes, ` +
        `even ones on node A (where the ${SENDERS} senders are), odd ones on node B`,
      ...(c.behind ? ['Confab fell behind at this rate on two nodes'] : []),
    ],
    raw: { confab, baseline },
  };
}
