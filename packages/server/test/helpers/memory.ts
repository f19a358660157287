import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MIB = 1024 * 1024;

export interface MemoryWatch {
  /** Stops sampling; the highest retained heap + ArrayBuffers over the baseline, in MiB. */
  stop(): { growthMib: number; samples: number };
}

/**
 * Watches this process's retained memory (heap plus the ArrayBuffers that hold Buffers), with a
 * full collection before every sample so that garbage is not counted: the baseline first (what
 * the process holds at rest), then a sample every `everyMs` until `stop()`.
 */
export async function watchMemory(everyMs = 50): Promise<MemoryWatch> {
  setFlagsFromString('--expose-gc');
  // Otherwise the buffers a collection found dead are freed later, on another thread, and still
  // counted right after it: samples jump by tens of MiB of garbage.
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  const gc = runInNewContext('gc') as () => void;
  const retained = () => {
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  // What the previous step left behind goes first.
  await new Promise((resolve) => setTimeout(resolve, 300));
  retained();
  const baseline = retained();
  const samples = [baseline];
  const sampler = setInterval(() => samples.push(retained()), everyMs).unref();
  return {
    stop: () => {
      clearInterval(sampler);
      samples.push(retained());
      return { growthMib: (Math.max(...samples) - baseline) / MIB, samples: samples.length };
    },
  };
}
