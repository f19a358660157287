/**
 * Arrow keys walk the `items` of a list (Home and End jump to the ends); from the list itself,
 * the first key press lands on the last item. Returns whether the key was used.
 */
export function moveFocus(e: KeyboardEvent, list: HTMLElement, itemSelector: string): boolean {
  if (!['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) return false;
  const target = e.target as HTMLElement;
  if (target !== list && !target.matches(itemSelector)) return false;
  const items = [...list.querySelectorAll<HTMLElement>(itemSelector)];
  if (!items.length) return false;
  e.preventDefault();
  const index = items.indexOf(target);
  let next: number;
  if (e.key === 'Home') next = 0;
  else if (e.key === 'End' || index < 0) next = items.length - 1;
  else next = Math.max(0, Math.min(items.length - 1, index + (e.key === 'ArrowDown' ? 1 : -1)));
  items[next]?.focus();
  return true;
}
