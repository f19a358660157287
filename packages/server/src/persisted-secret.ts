import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const value = generate();
  writeFileSync(temp, `${value}\n`, { mode: 0o600 });
  let created = false;
  try {
    linkSync(temp, file);
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  const secret = read();
  return secret ? { value: secret, created: created && secret === value } : null;
}
