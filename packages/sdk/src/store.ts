/**
 * A small immutable store: every change replaces the state object, so `get()` snapshots can be
 * compared by reference and handed to any UI library.
 */
export interface ReadableStore<T> {
  /** The current state (never mutate it). */
  get(): T;
  /**
   * Calls `listener` after every change with the new and previous state; returns the unsubscribe.
   * @example const off = room.state.subscribe((s) => render(s.messages));
   */
  subscribe(listener: (state: T, previous: T) => void): () => void;
  /**
   * Calls `listener` only when `selector`'s result changes (by `equals`, default `Object.is`).
   * @example room.state.select((s) => s.messages.length, (count) => badge(count));
   */
  select<U>(selector: (state: T) => U, listener: (value: U, previous: U) => void, equals?: (a: U, b: U) => boolean): () => void;
}

export interface Store<T> extends ReadableStore<T> {
  set(next: T | ((state: T) => T)): void;
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<(state: T, previous: T) => void>();
  return {
    get: () => state,
    set(next) {
      const previous = state;
      state = typeof next === 'function' ? (next as (s: T) => T)(state) : next;
      if (state === previous) return;
      for (const listener of [...listeners]) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    select(selector, listener, equals = Object.is) {
      let current = selector(state);
      const wrapped = (next: T) => {
        const value = selector(next);
        if (equals(value, current)) return;
        const previous = current;
        current = value;
        listener(value, previous);
      };
      listeners.add(wrapped);
      return () => {
        listeners.delete(wrapped);
      };
    },
  };
}
