import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates `file` (mode 0600) holding `content`, all at once: a complete temp file is linked into
 * place, so no reader sees it half written. False, changing nothing, when `file` already exists.
 */
export function createFileOnce(file: string, content: string): boolean {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    unlinkSync(temp);
  }
}

export interface PersistedSecret {
  value: string;
  /** True only in the one process that wrote the file. */
  created: boolean;
}

/**
 * A secret generated once and kept in `file` (mode 0600). Processes sharing the directory agree
 * on it: the file appears atomically (link), and whoever loses the race reads the winner's.
 * Returns null when the file exists but holds no usable secret (`minLength`).
 */
export function persistedSecret(file: string, generate: () => string, minLength: number): PersistedSecret | null {
  const read = () => {
    try {
      const existing = readFileSync(file, 'utf8').trim();
      return existing.length >= minLength ? existing : null;
    } catch {
      return null;
    }
  };
  const existing = read();
  if (existing) return { value: existing, created: false };
  const value = generate();
  const created = createFileOnce(file, `${value}\n`);
  const secret = read();
  return secret ? { value: secret, created: created && secret === value } : null;
}
