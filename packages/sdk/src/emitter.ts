/** Listener maps: event name → listener signature (`never[]` so that any parameter list fits). */
export type EventMap = { [event: string]: (...args: never[]) => void };

/** A tiny typed event emitter whose `on()` returns the function that removes the listener. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  /**
   * Calls `listener` on every `event` until the returned function is called.
   * @example const off = client.on('connection:changed', (status) => console.log(status)); off();
   */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Like `on`, for the next `event` only. */
  once<K extends keyof E>(event: K, listener: E[K]): () => void {
    const off = this.on(event, ((...args: Parameters<E[K]>) => {
      off();
      listener(...args);
    }) as E[K]);
    return off;
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        // A listener's bug must not break delivery to the others.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
