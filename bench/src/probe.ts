// Preloaded (`node --import`) into every server process the benchmark starts, so it can read the
// server's own CPU time, its heap after a full GC and its event-loop delay, and profile just the
// measured phase, over the IPC channel, without any code in the server for it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';

type Request =
  | { type: 'bench:stats'; id: number; gc?: boolean }
  | { type: 'bench:profile'; id: number; action: 'start' }
  | { type: 'bench:profile'; id: number; action: 'stop'; file: string }
  | { type: 'bench:loop'; id: number; reset: boolean };

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

process.on('message', (message: Request) => {
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
