// Load-generator child processes driven over IPC: the parent forks a script, asks it typed
// requests and gets typed replies (matched by id); the child answers them with `serveRequests`.
// Used by P7's SDK fleet and by the fan-out fleet of P1, P6 and S1, so that one Node process is
// never what limits a scenario.
import { type ChildProcess, fork } from 'node:child_process';

/** What a request or reply carries besides its own fields. */
export interface Typed {
  type: string;
}
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
/** A request as the parent builds it (the id is added when it is sent). */
export type RequestOf<Req extends Typed & { id: number }> = WithoutId<Req>;
/** A reply as the child builds it (the id of its request is added when it is sent). */
export type AnswerOf<Rep extends Typed & { id: number }> = WithoutId<Rep>;
type ReplyTo<Rep, T extends string> = Extract<Rep, { type: T }>;

export interface Worker<Req extends Typed & { id: number }, Rep extends Typed & { id: number; error?: string }> {
  child: ChildProcess;
  /** Sends `request` and resolves with the child's reply to it, or rejects after `timeoutMs`. */
  ask<T extends RequestOf<Req>>(request: T, timeoutMs: number): Promise<ReplyTo<Rep, T['type']>>;
  exited: Promise<void>;
}

const EXIT_GRACE_MS = 5_000;

// Whatever happens to the parent (a failed scenario, process.exit), no worker outlives it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Forks `script` (a module that calls `serveRequests`) as worker `label`. */
export function spawnWorker<Req extends Typed & { id: number }, Rep extends Typed & { id: number; error?: string }>(
  script: string,
  label: string,
): Worker<Req, Rep> {
  const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], serialization: 'advanced' });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const pending = new Map<number, { resolve(reply: Rep): void; reject(err: Error): void }>();
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const { reject } of pending.values()) reject(new Error(`${label} exited (${code ?? signal})\n${stderr}`));
      pending.clear();
      done();
    }),
  );
  child.on('message', (reply: Rep) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(new Error(`${label}: ${reply.error}`));
    else waiting.resolve(reply);
  });
  let nextId = 0;
  const ask = <T extends RequestOf<Req>>(request: T, timeoutMs: number) =>
    new Promise<ReplyTo<Rep, T['type']>>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label} did not answer ${request.type} within ${timeoutMs} ms\n${stderr}`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (reply) => (clearTimeout(timer), resolve(reply as ReplyTo<Rep, T['type']>)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      child.send({ ...request, id }, (err) => err && pending.get(id)?.reject(err));
    });
  return { child, ask, exited };
}

/** Asks the worker to close (`close` request) and waits for it to exit; SIGKILL when it does not in time. */
export async function stopWorker<Req extends Typed & { id: number }, Rep extends Typed & { id: number; error?: string }>(
  worker: Worker<Req, Rep>,
  close: RequestOf<Req>,
): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const kill = setTimeout(() => worker.child.kill('SIGKILL'), EXIT_GRACE_MS);
  await worker.ask(close, EXIT_GRACE_MS).catch(() => worker.child.kill('SIGKILL'));
  await worker.exited;
  clearTimeout(kill);
}

/**
 * The child's side: answers every request with `answer`; a `close` request's reply is the last
 * thing the process sends before it exits. Errors go back to the parent as the reply's `error`.
 */
export function serveRequests<Req extends Typed & { id: number }, Rep extends Typed & { id: number }>(
  answer: (request: Req) => Promise<AnswerOf<Rep>> | AnswerOf<Rep>,
): void {
  process.on('message', (request: Req) => {
    Promise.resolve()
      .then(() => answer(request))
      .then(
        (reply) => process.send!({ ...reply, id: request.id }, () => request.type === 'close' && process.exit(0)),
        (err: unknown) => process.send!({ type: request.type, id: request.id, error: (err as Error)?.stack ?? String(err) }),
      );
  });
  // Orphaned (the parent died): nothing left to report to.
  process.on('disconnect', () => process.exit(0));
  // A stray rejection inside a client is not a reason to lose the other clients' figures.
  process.on('unhandledRejection', (reason) =>
    process.stderr.write(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}\n`),
  );
}
