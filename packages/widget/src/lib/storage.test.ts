import type { AuthSessionDto } from '@confab/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { VisitStorage } from './storage.js';

/** A plain in-memory Storage, like localStorage. */
class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
}

/** Storage blocked by the browser (privacy settings, sandboxed iframe): every access throws. */
class ThrowingStorage extends MemoryStorage {
  override getItem(): string | null {
    throw new DOMException('blocked', 'SecurityError');
  }
  override setItem(): void {
    throw new DOMException('quota', 'QuotaExceededError');
  }
  override removeItem(): void {
    throw new DOMException('blocked', 'SecurityError');
  }
}

const session = { accessToken: 'access-1', refreshToken: 'refresh-1' } as unknown as AuthSessionDto;
const KEY = 'confab:widget:https://chat.example:app1';

describe('VisitStorage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reads nothing before anything was written', () => {
    const store = new MemoryStorage();
    expect(new VisitStorage(KEY, store).read()).toBeNull();
  });

  it('reads back what it wrote, as JSON under its key', () => {
    const store = new MemoryStorage();
    const visit = new VisitStorage(KEY, store);
    visit.write({ session, conversationId: 'conv-1' });
    expect(visit.read()).toEqual({ session, conversationId: 'conv-1' });
    expect(JSON.parse(store.getItem(KEY)!)).toEqual({ session, conversationId: 'conv-1' });
  });

  it('merges a write into what is stored instead of replacing it', () => {
    const store = new MemoryStorage();
    const visit = new VisitStorage(KEY, store);
    visit.write({ session });
    visit.write({ conversationId: 'conv-1' });
    expect(visit.read()).toEqual({ session, conversationId: 'conv-1' });
  });

  it('lets a later write overwrite a field', () => {
    const visit = new VisitStorage(KEY, new MemoryStorage());
    visit.write({ session, conversationId: 'conv-1' });
    visit.write({ conversationId: 'conv-2' });
    expect(visit.read()).toEqual({ session, conversationId: 'conv-2' });
  });

  it('survives a new instance on the same storage (a page reload)', () => {
    const store = new MemoryStorage();
    new VisitStorage(KEY, store).write({ conversationId: 'conv-1' });
    expect(new VisitStorage(KEY, store).read()).toEqual({ conversationId: 'conv-1' });
  });

  it('clears only its own key', () => {
    const store = new MemoryStorage();
    store.setItem('unrelated', 'keep me');
    const visit = new VisitStorage(KEY, store);
    visit.write({ session });
    visit.clear();
    expect(visit.read()).toBeNull();
    expect(store.getItem(KEY)).toBeNull();
    expect(store.getItem('unrelated')).toBe('keep me');
  });

  it('keeps visits of different keys (servers, apps) apart', () => {
    const store = new MemoryStorage();
    const a = new VisitStorage('confab:widget:https://a.example:app', store);
    const b = new VisitStorage('confab:widget:https://b.example:app', store);
    a.write({ conversationId: 'conv-a' });
    b.write({ conversationId: 'conv-b' });
    b.clear();
    expect(a.read()).toEqual({ conversationId: 'conv-a' });
    expect(b.read()).toBeNull();
  });

  it('reads corrupt stored data as nothing instead of throwing', () => {
    const store = new MemoryStorage();
    store.setItem(KEY, '{not json');
    const visit = new VisitStorage(KEY, store);
    expect(visit.read()).toBeNull();
    // And a write replaces the corrupt value.
    visit.write({ conversationId: 'conv-1' });
    expect(visit.read()).toEqual({ conversationId: 'conv-1' });
  });

  it('does not throw when storage throws on every access, and remembers nothing', () => {
    const visit = new VisitStorage(KEY, new ThrowingStorage());
    expect(() => visit.write({ session })).not.toThrow();
    expect(() => visit.read()).not.toThrow();
    expect(visit.read()).toBeNull();
    expect(() => visit.clear()).not.toThrow();
  });

  it('keeps the last stored visit when a write fails (storage full)', () => {
    const store = new MemoryStorage();
    const visit = new VisitStorage(KEY, store);
    visit.write({ conversationId: 'conv-1' });
    vi.spyOn(store, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    expect(() => visit.write({ conversationId: 'conv-2' })).not.toThrow();
    expect(visit.read()).toEqual({ conversationId: 'conv-1' });
  });

  it('still writes when only reading throws', () => {
    const store = new MemoryStorage();
    vi.spyOn(store, 'getItem').mockImplementationOnce(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    const visit = new VisitStorage(KEY, store);
    expect(() => visit.write({ conversationId: 'conv-1' })).not.toThrow();
    expect(JSON.parse(store.data.get(KEY)!)).toEqual({ conversationId: 'conv-1' });
  });

  it('works without any storage at all (null)', () => {
    const visit = new VisitStorage(KEY, null);
    expect(() => visit.write({ session })).not.toThrow();
    expect(visit.read()).toBeNull();
    expect(() => visit.clear()).not.toThrow();
  });

  it('VisitStorage.for uses localStorage under a key per kind, server and app', () => {
    const store = new MemoryStorage();
    vi.stubGlobal('localStorage', store);
    VisitStorage.for('https://chat.example', 'app1').write({ conversationId: 'conv-1' });
    VisitStorage.for('https://chat.example', 'app1', 'inbox').write({ conversationId: 'conv-2' });
    expect(JSON.parse(store.getItem('confab:widget:https://chat.example:app1')!)).toEqual({ conversationId: 'conv-1' });
    expect(JSON.parse(store.getItem('confab:inbox:https://chat.example:app1')!)).toEqual({ conversationId: 'conv-2' });
  });

  it('VisitStorage.for does not throw when reading localStorage itself throws', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    try {
      const visit = VisitStorage.for('https://chat.example', 'app1');
      expect(() => visit.write({ conversationId: 'x' })).not.toThrow();
      expect(visit.read()).toBeNull();
    } finally {
      if (original) Object.defineProperty(globalThis, 'localStorage', original);
      else delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
