/** Registers an element once (a second copy of the widget on the page must not throw). */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}
