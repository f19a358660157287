import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { createFileOnce } from '../persisted-secret.js';

/** What holds the embedded database: the server, or a one-shot CLI command. */
export type LockOwner = 'start' | 'migrate' | 'apps:create' | 'apps:list';

export interface DataDirLock {
  file: string;
  release(): void;
}

interface Holder {
  pid: number;
  command: string;
}

export const LOCK_FILE = 'server.lock';

/** Another live process holds the data directory; the message says which and what to do. */
export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';

  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
    wanted: LockOwner,
  ) {
    super(busyMessage(dataDir, holder, wanted));
  }
}

function busyMessage(dataDir: string, holder: Holder, wanted: LockOwner): string {
  const who =
    holder.command === 'start' ? `a running Confab server (pid ${holder.pid})` : `"confab-server ${holder.command}" (pid ${holder.pid})`;
  const head = `${dataDir} is in use by ${who}: the embedded database allows one process per data directory.`;
  if (holder.command !== 'start') return `${head} Wait for it to finish, then try again.`;
  if (wanted === 'start') {
    return `${head} Stop that server first, give this one another DATA_DIR, or run several nodes on PostgreSQL (DATABASE_URL).`;
  }
  if (wanted === 'migrate') return `${head} Stop that server first; it applies pending migrations itself whenever it starts.`;
  return `${head} Stop that server first (then run this again), or use its admin API instead: set ADMIN_TOKEN and call /v1/admin/apps.`;
}

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(parsed.pid) && (parsed.pid as number) > 0
      ? { pid: parsed.pid as number, command: String(parsed.command ?? 'start') }
      : null;
  } catch {
    return null;
  }
}

/**
 * Takes `DATA_DIR/server.lock` for this process, or throws DataDirBusyError naming the live
 * process that has it. The file appears atomically (link of a complete temp file); a lock whose
 * pid is gone (a crash, a SIGKILL) is taken over. Released by `release()` or at exit.
 */
export function lockDataDir(dataDir: string, command: LockOwner): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  // Two PGlite instances on one directory in one process corrupt it just the same.
  if (held.has(file)) throw new DataDirBusyError(dataDir, { pid: process.pid, command: 'start' }, command);
  const mine = JSON.stringify({ pid: process.pid, command } satisfies Holder);
  for (let attempt = 0; !createFileOnce(file, mine); attempt++) {
    if (attempt >= 5) throw new Error(`${file} keeps changing hands; try again`);
    const holder = readHolder(file);
    if (holder === 'missing') continue;
    // Our own pid can only be a leftover (a container restarted as pid 1 again).
    if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirBusyError(dataDir, holder, command);
    // Stale: move it aside atomically, so two processes taking it over cannot both win.
    const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = readHolder(aside);
    if (moved !== 'missing' && moved && moved.pid !== holder?.pid && alive(moved.pid)) {
      // Someone else took it over in between: give it back and report them.
      try {
        linkSync(aside, file);
      } catch {
        // A third process has it now; the next attempt reads that one.
      }
      unlinkSync(aside);
      throw new DataDirBusyError(dataDir, moved, command);
    }
    unlinkSync(aside);
  }
  held.add(file);

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(file);
    process.off('exit', release);
    const holder = readHolder(file);
    if (holder !== 'missing' && holder?.pid === process.pid) unlinkSync(file);
  };
  process.once('exit', release);
  return { file, release };
}
