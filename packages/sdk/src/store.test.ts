import { describe, expect, it, vi } from 'vitest';

import { createStore } from './store.js';

interface Counter {
  count: number;
  label: string;
}

describe('createStore', () => {
  it('returns the initial state, then the state set last', () => {
    const initial = { count: 0, label: 'a' };
    const store = createStore<Counter>(initial);
    expect(store.get()).toBe(initial);
    const next = { count: 1, label: 'a' };
    store.set(next);
    expect(store.get()).toBe(next);
  });

  it('applies an updater function to the current state', () => {
    const store = createStore<Counter>({ count: 1, label: 'a' });
    store.set((s) => ({ ...s, count: s.count + 1 }));
    expect(store.get()).toEqual({ count: 2, label: 'a' });
  });

  it('calls subscribers with the new and the previous state', () => {
    const initial = { count: 0, label: 'a' };
    const store = createStore<Counter>(initial);
    const listener = vi.fn();
    store.subscribe(listener);
    const next = { count: 1, label: 'a' };
    store.set(next);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith(next, initial);
  });

  it('notifies nobody when set gets the same state object', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    const selected = vi.fn();
    store.subscribe(listener);
    store.select((s) => s, selected);
    store.set(store.get());
    store.set((s) => s);
    expect(listener).not.toHaveBeenCalled();
    expect(selected).not.toHaveBeenCalled();
  });

  it('stops calling a subscriber once it unsubscribed', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    const off = store.subscribe(listener);
    store.set({ count: 1, label: 'a' });
    off();
    store.set({ count: 2, label: 'a' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps other subscribers when one unsubscribes during a change', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const second = vi.fn();
    const off = store.subscribe(() => off());
    store.subscribe(second);
    store.set({ count: 1, label: 'a' });
    store.set({ count: 2, label: 'a' });
    expect(second).toHaveBeenCalledTimes(2);
  });

  it('calls a selector listener only when the selected value changes', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    store.select((s) => s.count, listener);
    store.set({ count: 0, label: 'b' });
    expect(listener).not.toHaveBeenCalled();
    store.set({ count: 3, label: 'b' });
    expect(listener).toHaveBeenCalledWith(3, 0);
    store.set({ count: 5, label: 'b' });
    expect(listener).toHaveBeenLastCalledWith(5, 3);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('compares selected values with a custom equality', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    const sameLength = (a: string[], b: string[]) => a.length === b.length;
    store.select((s) => s.label.split(''), listener, sameLength);
    store.set({ count: 1, label: 'b' }); // a new array each time, same length: no call
    expect(listener).not.toHaveBeenCalled();
    store.set({ count: 1, label: 'bc' });
    expect(listener).toHaveBeenCalledWith(['b', 'c'], ['a']);
  });

  it('calls a selector listener when a new object is selected, by default (Object.is)', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    store.select((s) => ({ count: s.count }), listener);
    store.set({ count: 0, label: 'b' });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('stops calling a selector listener once it unsubscribed', () => {
    const store = createStore<Counter>({ count: 0, label: 'a' });
    const listener = vi.fn();
    const off = store.select((s) => s.count, listener);
    off();
    store.set({ count: 1, label: 'a' });
    expect(listener).not.toHaveBeenCalled();
  });
});
