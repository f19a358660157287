import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ProcessStats {
  /** CPU time (user + system) since the process started. */
  cpuMs: number;
  heapUsed: number;
  rss: number;
}

/** Memory between `peakStart()` and `peakStop()`, bytes. */
export interface MemoryPeak {
  /** Heap + ArrayBuffers after a full GC when watching started. */
  rest: number;
  /** The highest heap + ArrayBuffers seen (garbage included, unless watched `retained`). */
  heap: number;
  rss: number;
}

/** How late the server's event loop ran (ms) since the last reset. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Own CPU time and memory; `gc` runs a full collection first (heap after GC). */
  stats(gc?: boolean): Promise<ProcessStats>;
  /** The event-loop delay since the last reset; `reset` starts a new window. */
  loopDelay(reset?: boolean): Promise<LoopDelay>;
  /** Starts watching the process's peak memory (after a full GC); `retained`: a full GC before each sample. */
  peakStart(retained?: boolean): Promise<void>;
  /** The peak since `peakStart()`. */
  peakStop(): Promise<MemoryPeak>;
  /** Starts the V8 sampling profiler in the process (for the measured phase only). */
  profileStart(): Promise<void>;
  /** Stops it and writes the `.cpuprofile` to `file`. */
  profileStop(file: string): Promise<void>;
  /** SIGTERM and wait: the server closes cleanly (and writes its CPU profile when profiling). */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
}

const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));
const STARTUP_MS = 60_000;

// Whatever happens to the benchmark (a failed scenario, process.exit), no server outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Forks a server script that prints "listening on http://HOST:PORT", with the stats probe loaded. */
export function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const execArgv = ['--expose-gc', '--import', PROBE];
  const child = fork(options.script, options.args ?? [], {
    execArgv,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${options.name} did not start within ${STARTUP_MS} ms\n${output}`)), STARTUP_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('exit', (code, signal) => fail(new Error(`${options.name} exited (${code ?? signal}) before listening\n${output}`)));
    let stdout = '';
    let started = false;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (started) return;
      stdout += chunk;
      const url = /listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1];
      if (!url) return;
      started = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(wrap(options.name, url, child));
    });
  });
}

function wrap(name: string, url: string, child: ChildProcess): ServerProcess {
  let nextId = 0;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ask = <T>(request: Record<string, unknown> & { type: string }) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (message: T & { type?: string; id?: number; error?: string }) => {
        if (message?.type !== request.type || message.id !== id) return;
        child.off('message', onMessage);
        if (message.error) reject(new Error(`${name}: ${message.error}`));
        else resolve(message);
      };
      child.on('message', onMessage);
      if (!child.send({ ...request, id })) reject(new Error(`${name} is not reachable`));
    });
  return {
    name,
    url,
    pid: child.pid!,
    stats: async (gc = false) => {
      const { cpuMs, heapUsed, rss } = await ask<ProcessStats>({ type: 'bench:stats', gc });
      return { cpuMs, heapUsed, rss };
    },
    loopDelay: async (reset = false) => {
      const { p50, p99, max } = await ask<LoopDelay>({ type: 'bench:loop', reset });
      return { p50, p99, max };
    },
    peakStart: (retained = false) => ask({ type: 'bench:peak', action: 'start', retained }),
    peakStop: async () => {
      const { rest, heap, rss } = await ask<MemoryPeak>({ type: 'bench:peak', action: 'stop' });
      return { rest, heap, rss };
    },
    profileStart: () => ask({ type: 'bench:profile', action: 'start' }),
    profileStop: (file: string) => ask({ type: 'bench:profile', action: 'stop', file }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

const SERVER_SETTINGS = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PREFIX',
  'PORT',
  'HOST',
  'JWT_SECRET',
  'CONFAB_DEMO',
  'NODE_ENV',
  'MESSAGE_RATE',
  'AUTH_RATE',
  'DATA_DIR',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NODE_OPTIONS',
  'STORAGE_URL',
  'STORAGE_DOWNLOADS',
  'MAX_UPLOAD_BYTES',
]);

/** This process's environment minus anything that would configure the servers behind our back. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !SERVER_SETTINGS.has(key)) env[key] = value;
  }
  return env;
}
