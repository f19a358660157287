// Typed reads of lists a test built itself: a shorter list than expected fails the test with a readable message.

/** The item at `index` (negative counts from the end); throws when the list has no such item. */
export function itemAt<T>(items: readonly T[], index: number): T {
  const item = items.at(index);
  if (item === undefined) throw new Error(`Expected an item at index ${index}, but the list has ${items.length}`);
  return item;
}
