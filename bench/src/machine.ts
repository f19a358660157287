import { cpus } from 'node:os';

export interface MachineTimes {
  busy: number;
  total: number;
}

/** Busy and total CPU time of the whole machine so far (ms, all cores): what every process on it used, ours or not. */
export function machineTimes(): MachineTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Share of the machine's cores that were busy between two readings. */
export function busyShare(before: MachineTimes, after: MachineTimes = machineTimes()): number {
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}
