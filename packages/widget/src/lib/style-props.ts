import { nothing } from 'lit';
import { Directive, directive, type ElementPart, type PartInfo, PartType } from 'lit/directive.js';

type Props = Readonly<Record<string, string | null | undefined>>;

/**
 * Inline styles set through the CSSOM (`style.setProperty`), on an element: `<div ${styleProps({ width: '20px' })}>`.
 * A strict CSP without 'unsafe-inline' refuses a `style` attribute, and lit's `styleMap` writes one
 * on the first render; property writes are allowed. Names are CSS names (`aspect-ratio`, `--x`).
 */
class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error('styleProps() goes on an element, not in an attribute');
  }

  render(_props: Props) {
    return nothing;
  }

  override update(part: ElementPart, [props]: [Props]) {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) {
      if (props[name] == null) {
        style.removeProperty(name);
        this.previous.delete(name);
      }
    }
    for (const [name, value] of Object.entries(props)) {
      if (value == null) continue;
      style.setProperty(name, value);
      this.previous.add(name);
    }
    return nothing;
  }
}

export const styleProps = directive(StylePropsDirective);
