// Preloaded (`node --import`) into every server process the benchmark starts, so it can read the
// server's own CPU time, its heap after a full GC and its event-loop delay, and profile just the
// measured phase, over the IPC channel, without any code in the server for it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

type Request =
  | { type: 'bench:stats'; id: number; gc?: boolean }
  | { type: 'bench:profile'; id: number; action: 'start' }
  | { type: 'bench:profile'; id: number; action: 'stop'; file: string }
  | { type: 'bench:loop'; id: number; reset: boolean }
  | { type: 'bench:peak'; id: number; action: 'start' | 'stop'; retained?: boolean };

const collect = globalThis.gc as (() => void) | undefined;
let session: Session | null = null;
// How late the event loop runs its timers (a blocked loop delays every request and event).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session!.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

async function profile(message: Extract<Request, { type: 'bench:profile' }>): Promise<void> {
  if (message.action === 'start') {
    session ??= new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
  } else if (session) {
    const { profile: result } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(message.file, JSON.stringify(result));
    session.disconnect();
  }
}

// The highest heap + ArrayBuffers (where Buffers live) and RSS between a start and a stop: every
// 10 ms, garbage included, as the process did hold it; or, `retained`, every 50 ms after a full GC
// (what the process could not have let go; it slows the process down). The start figure is after
// a full GC.
let peak: { timer: NodeJS.Timeout; rest: number; heap: number; rss: number } | null = null;
const heapAndBuffers = () => {
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heap: heapUsed + arrayBuffers, rss };
};

function watchPeak(message: Extract<Request, { type: 'bench:peak' }>): void {
  if (peak) clearInterval(peak.timer);
  if (message.action === 'stop') {
    const result = peak ? { rest: peak.rest, heap: peak.heap, rss: peak.rss } : { rest: 0, heap: 0, rss: 0 };
    peak = null;
    process.send?.({ type: message.type, id: message.id, ...result });
    return;
  }
  // Or buffers found dead are freed later on another thread, and still counted after the GC.
  if (message.retained) setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  collect?.();
  collect?.();
  const now = heapAndBuffers();
  const timer = setInterval(
    () => {
      if (message.retained) collect?.();
      const sample = heapAndBuffers();
      if (!peak) return;
      peak.heap = Math.max(peak.heap, sample.heap);
      peak.rss = Math.max(peak.rss, sample.rss);
    },
    message.retained ? 50 : 10,
  ).unref();
  peak = { timer, rest: now.heap, heap: now.heap, rss: now.rss };
  process.send?.({ type: message.type, id: message.id });
}

process.on('message', (message: Request) => {
  if (message?.type === 'bench:peak') return watchPeak(message);
  if (message?.type === 'bench:profile') {
    profile(message).then(
      () => process.send?.({ type: message.type, id: message.id }),
      (err: Error) => process.send?.({ type: message.type, id: message.id, error: err.message }),
    );
    return;
  }
  if (message?.type === 'bench:loop') {
    const ms = (ns: number) => ns / 1e6;
    process.send?.({ type: message.type, id: message.id, p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) });
    if (message.reset) loop.reset();
    return;
  }
  if (message?.type !== 'bench:stats') return;
  if (message.gc && collect) {
    collect();
    collect();
  }
  const { user, system } = process.cpuUsage();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ type: 'bench:stats', id: message.id, cpuMs: (user + system) / 1000, heapUsed, rss });
});
