import { describe, expect, it } from 'vitest';

import { newClientId } from './ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs `fn` with `globalThis.crypto` replaced by `replacement`, then puts the real one back. */
function withCrypto<T>(replacement: unknown, fn: () => T): T {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: replacement, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    if (original) Object.defineProperty(globalThis, 'crypto', original);
    else delete (globalThis as { crypto?: unknown }).crypto;
  }
}

describe('newClientId', () => {
  it('gives RFC 4122 version 4 UUIDs', () => {
    for (let i = 0; i < 100; i++) expect(newClientId()).toMatch(UUID_V4);
  });

  it('never gives the same id twice', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => newClientId()));
    expect(ids.size).toBe(1_000);
  });

  it('gives version 4 UUIDs from getRandomValues when crypto.randomUUID is missing', () => {
    const real = globalThis.crypto;
    const onlyRandomValues = { getRandomValues: <T extends ArrayBufferView>(array: T) => real.getRandomValues(array as never) as T };
    const ids = withCrypto(onlyRandomValues, () => Array.from({ length: 200 }, () => newClientId()));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(200);
    expect(globalThis.crypto).toBe(real);
    expect(typeof globalThis.crypto.randomUUID).toBe('function');
  });

  it('sets only the version and variant bits of the random bytes in the fallback', () => {
    const fill = (byte: number) => ({
      getRandomValues: <T extends ArrayBufferView>(array: T) => {
        new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(byte);
        return array;
      },
    });
    expect(withCrypto(fill(0x00), newClientId)).toBe('00000000-0000-4000-8000-000000000000');
    expect(withCrypto(fill(0xff), newClientId)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});
