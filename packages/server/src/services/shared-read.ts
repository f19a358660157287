/**
 * Coalesces reads of one key: calls made while a read is in flight, or within `keepMs` after it
 * ended, get its result. For snapshots that a crowd asks for at once (everyone rejoining one room
 * after a network blip), where an answer a few milliseconds old is as good as a fresh one.
 */
export function sharedReads<V>(read: (key: string) => Promise<V>, keepMs: number): (key: string) => Promise<V> {
  const inFlight = new Map<string, Promise<V>>();
  return (key) => {
    let shared = inFlight.get(key);
    if (!shared) {
      shared = read(key);
      inFlight.set(key, shared);
      shared.then(
        () => setTimeout(() => inFlight.delete(key), keepMs).unref(),
        () => inFlight.delete(key),
      );
    }
    return shared;
  };
}
