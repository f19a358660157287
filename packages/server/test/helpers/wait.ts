export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What `until` resolves with: the probe's first truthy value. */
export type Truthy<T> = Exclude<NonNullable<T>, false | '' | 0>;

/** Polls `probe` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 5_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
