// Preloaded (`node --import`) into every server process the benchmark starts, so it can read the
// server's own CPU time and its heap after a full GC, and profile just the measured phase, over
// the IPC channel, without any code in the server for it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

type Request =
  | { type: 'bench:stats'; id: number; gc?: boolean }
  | { type: 'bench:profile'; id: number; action: 'start' }
  | { type: 'bench:profile'; id: number; action: 'stop'; file: string };

const collect = globalThis.gc as (() => void) | undefined;
let session: Session | null = null;

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
  if (message?.type !== 'bench:stats') return;
  if (message.gc && collect) {
    collect();
    collect();
  }
  const { user, system } = process.cpuUsage();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ type: 'bench:stats', id: message.id, cpuMs: (user + system) / 1000, heapUsed, rss });
});
