#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only P1,P4,S1,U1] [-- --profile] [-- --out FILE]`
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchEnv, createBenchDatabase } from './confab.js';
import type { BenchContext } from './context.js';
import { type ProfileEntry, summarizeProfiles } from './profile.js';
import { renderTable, type ScenarioResult } from './report.js';
import { p1Fanout } from './scenarios/p1-fanout.js';
import { p2Persist } from './scenarios/p2-persist.js';
import { p3IdleSockets } from './scenarios/p3-idle-sockets.js';
import { p4History } from './scenarios/p4-history.js';
import { p5Embed } from './scenarios/p5-embed.js';
import { p6TwoNodes } from './scenarios/p6-two-nodes.js';
import { p7Reconnect } from './scenarios/p7-reconnect.js';
import { p8SupportDesk } from './scenarios/p8-support-desk.js';
import { s1Soak } from './scenarios/s1-soak.js';
import { u1Uploads } from './scenarios/u1-uploads.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const quick = values.quick!;
const only = values.only ? new Set(values.only.toUpperCase().split(',')) : null;
const wanted = (id: string) => !only || only.has(id);
const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../results');
const out = resolve(values.out ?? `${resultsDir}/${quick ? 'quick' : 'latest'}.json`);
const profileDir = values.profile ? resolve(resultsDir, 'profiles', String(Date.now())) : undefined;

const PROFILED: [string, string][] = [
  ['p1-confab', 'Confab, P1 fan-out steps'],
  ['p1-baseline', 'the bare Socket.IO server, P1 fan-out steps (for comparison)'],
  ['p2-confab', 'Confab, P2 persisted sends'],
  ['p4-confab-warm', 'Confab, P4 warm history requests'],
  ['p4-confab-cold', 'Confab, P4 cold history requests'],
  ['p8-confab', "Confab, P8 support desk (Confab's phase)"],
];

const databaseBase = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (message: string) => process.stderr.write(`${message}\n`);

const machine = {
  cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
  memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};

async function main(): Promise<void> {
  log(`Confab benchmark${quick ? ' (--quick)' : ''} on ${machine.cpu}, ${machine.memory}, Node ${machine.node}`);
  log(`PostgreSQL ${new URL(databaseBase).host}, Redis ${new URL(redisUrl).host}`);
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const database = await createBenchDatabase(databaseBase).catch((err: Error) => {
    throw new Error(`cannot create the benchmark database on ${new URL(databaseBase).host} (set DATABASE_URL): ${err.message}`);
  });
  const ctx: BenchContext = { env: benchEnv(database.url, redisUrl, profileDir), quick, log };
  const results: ScenarioResult[] = [];
  const started = Date.now();
  const run = async (id: string, scenario: () => Promise<ScenarioResult>) => {
    if (!wanted(id)) return;
    log(`\n${id}…`);
    const result = await scenario();
    results.push(result);
    process.stdout.write(`\n${renderTable(result)}`);
  };
  try {
    let bestRate = quick ? 20 : 40;
    let p1Best: number | null = null;
    await run('P1', async () => {
      const result = await p1Fanout(ctx);
      bestRate = result.bestRate;
      p1Best = result.held ? result.bestRate : null;
      return result;
    });
    await run('P2', () => p2Persist(ctx));
    await run('P3', () => p3IdleSockets(ctx));
    await run('P4', () => p4History(ctx));
    await run('P5', () => p5Embed(ctx));
    await run('P6', () => p6TwoNodes(ctx, bestRate));
    await run('P7', () => p7Reconnect(ctx));
    await run('P8', () => p8SupportDesk(ctx));
    await run('S1', () => s1Soak(ctx, p1Best));
    await run('U1', () => u1Uploads(ctx));
  } finally {
    await database.drop().catch(() => undefined);
  }
  const profiles: Record<string, ProfileEntry[]> = {};
  for (const [prefix, what] of PROFILED) {
    const summary = profileDir ? summarizeProfiles(profileDir, prefix) : undefined;
    if (!summary) continue;
    profiles[prefix] = summary.top;
    process.stdout.write(`\n### Where the CPU time went: ${what} (V8 profiler, self time)\n\n${summary.text}\n`);
  }
  mkdirSync(dirname(out), { recursive: true });
  const report = { date: new Date().toISOString(), quick, machine, seconds: Math.round((Date.now() - started) / 1000), results, profiles };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nRaw figures: ${out} (${report.seconds} s)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
