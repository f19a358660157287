/** Thrown inside a transaction to roll it back with an answer (a retried send, an unchanged reaction). */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

export async function rollbackable<T, R>(work: () => Promise<T>): Promise<T | Rollback<R>> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Rollback) return err as Rollback<R>;
    throw err;
  }
}
