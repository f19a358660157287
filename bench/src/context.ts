import { join } from 'node:path';

import type { BenchEnv } from './confab.js';
import type { ServerProcess } from './processes.js';

export interface BenchContext {
  env: BenchEnv;
  /** The one-minute smoke run: fewer steps, shorter steps, smaller counts. */
  quick: boolean;
  log(message: string): void;
}

/** Runs the measured phase under the V8 profiler of `node` when `--profile` is on. */
export async function profiled<T>(ctx: BenchContext, node: ServerProcess, label: string, work: () => Promise<T>): Promise<T> {
  if (!ctx.env.profileDir) return work();
  await node.profileStart();
  try {
    return await work();
  } finally {
    await node.profileStop(join(ctx.env.profileDir, `${label}.cpuprofile`));
  }
}
