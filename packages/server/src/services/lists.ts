// Reads of lists whose length the code knows (a mapper's one-to-one output), checked instead of indexed blindly.

/** The one item of `items`; anything else is a bug in the caller, not a user error. */
export function single<T>(items: readonly T[]): T {
  const [item] = items;
  if (items.length !== 1 || item === undefined) throw new Error(`Expected exactly one item, got ${items.length}`);
  return item;
}

/** The first item of a list the caller built non-empty. */
export function first<T>(items: readonly T[]): T {
  const [item] = items;
  if (items.length === 0 || item === undefined) throw new Error('Expected a non-empty list');
  return item;
}

/** `a` and `b` side by side; both must have the same length (a list and the list mapped from it). */
export function zip<A, B>(a: readonly A[], b: readonly B[]): [A, B][] {
  if (a.length !== b.length) throw new Error(`Cannot pair ${a.length} items with ${b.length}`);
  return a.map((item, i) => [item, b[i] as B]);
}
