import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The newest item of a timeline: its key, and whether the reader wrote it. */
export interface NewestItem {
  key: string;
  own: boolean;
}

export interface ScrollAnchorOptions {
  /** The scrolling element (null until the host has rendered it). */
  scroller: () => HTMLElement | null | undefined;
  /** The newest item the host is about to show (undefined while the list is empty). */
  newest: () => NewestItem | undefined;
  /** The rows that mark the reader's place (the first one in view is kept where it is). */
  rows?: string;
  /** How near the bottom, in px, still counts as at the bottom. */
  slack?: number;
}

/** A row's padding and border take space too. */
const BORDER_BOX: ResizeObserverOptions = { box: 'border-box' };

/** Where the reader is: the first row in view and its offset from the scroller's top edge. */
interface Place {
  row: Element;
  top: number;
}

/**
 * Keeps a timeline where its reader expects it. While the reader is at the bottom (on open, after
 * a room change, after they send) the view follows the bottom as items arrive and as content grows
 * later (images, reactions, fonts, a resized panel). Once they scroll up the first row in view
 * stays put, whatever loads above it (older pages, images), and an item arriving below raises
 * `unseen` until they reach the bottom again. Growth is seen by ResizeObservers on every row and
 * on the scroller, so it holds without knowing image sizes in advance.
 *
 * @example
 * private readonly anchor = new ScrollAnchor(this, {
 *   scroller: () => this.renderRoot.querySelector('.scroller'),
 *   newest: () => { const m = this.messages.at(-1); return m && { key: m.id, own: m.senderId === this.me }; },
 * });
 * // render: ${this.anchor.unseen ? html`<button @click=${() => this.anchor.jump()}>New messages</button>` : nothing}
 */
export class ScrollAnchor implements ReactiveController {
  /** The view follows the bottom. */
  pinned = true;
  /** An item arrived below the view while the reader was scrolled up. */
  unseen = false;

  private el: HTMLElement | null = null;
  private place: Place | null = null;
  private newestKey: string | undefined;
  private lastTop = 0;
  /** Not laid out (display: none somewhere above): a scroll offset lost meanwhile is not the reader's doing. */
  private hidden = false;
  private readonly rows: string;
  private readonly slack: number;
  private readonly resizes = new ResizeObserver(() => this.settle());
  private readonly mutations = new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => node instanceof Element && this.resizes.observe(node, BORDER_BOX));
      record.removedNodes.forEach((node) => node instanceof Element && this.resizes.unobserve(node));
    }
  });
  private readonly onScroll = () => this.scrolled();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: ScrollAnchorOptions,
  ) {
    this.rows = options.rows ?? '[data-id]';
    this.slack = options.slack ?? 48;
    host.addController(this);
  }

  hostConnected(): void {
    this.attach();
  }

  hostDisconnected(): void {
    this.detach();
  }

  hostUpdated(): void {
    this.attach();
    const newest = this.options.newest();
    let arrived = false;
    if (newest?.key !== this.newestKey) {
      arrived = this.newestKey !== undefined && newest !== undefined;
      this.newestKey = newest?.key;
      if (newest?.own) this.pin();
    }
    this.settle();
    if (arrived && !this.pinned && !this.newestInView()) this.setUnseen(true);
  }

  /** Back to the bottom with nothing unseen: a different timeline is about to show. */
  reset(): void {
    this.pin();
    this.newestKey = undefined;
    this.place = null;
  }

  /** Keeps the reader's place through what comes next even at the bottom (they asked for older items). */
  hold(): void {
    this.pinned = false;
  }

  /** Goes to the newest item (smoothly unless the reader prefers reduced motion) and follows it. */
  jump(): void {
    this.pin();
    const el = this.el;
    if (!el) return;
    const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'instant' });
  }

  private pin(): void {
    this.pinned = true;
    this.setUnseen(false);
  }

  private setUnseen(unseen: boolean): void {
    if (this.unseen === unseen) return;
    this.unseen = unseen;
    this.host.requestUpdate();
  }

  private attach(): void {
    const el = this.options.scroller() ?? null;
    if (el === this.el) return;
    this.detach();
    if (!el) return;
    this.el = el;
    // Our own anchoring replaces the browser's (which Safari lacks and which would fight ours).
    el.style.overflowAnchor = 'none';
    el.addEventListener('scroll', this.onScroll, { passive: true });
    this.resizes.observe(el);
    for (const child of el.children) this.resizes.observe(child, BORDER_BOX);
    this.mutations.observe(el, { childList: true });
  }

  private detach(): void {
    this.el?.removeEventListener('scroll', this.onScroll);
    this.resizes.disconnect();
    this.mutations.disconnect();
    this.el = null;
    this.hidden = false;
  }

  /** After a render or a resize: to the bottom when pinned, else the reader's row back where it was. */
  private settle(): void {
    const el = this.el;
    if (!el) return;
    if (!el.clientHeight) {
      this.hidden = true;
      return;
    }
    if (this.hidden) this.hidden = false;
    // Scrolled since we last looked (by the reader, or by code such as scrollIntoView) and the scroll event is yet to come.
    else if (Math.abs(el.scrollTop - this.lastTop) >= 1) this.scrolled();
    if (this.pinned) {
      const bottom = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - bottom) >= 1) el.scrollTo({ top: bottom, behavior: 'instant' });
    } else if (this.place?.row.isConnected) {
      const moved = this.offset(this.place.row) - this.place.top;
      if (Math.abs(moved) >= 0.5) el.scrollTo({ top: el.scrollTop + moved, behavior: 'instant' });
    }
    this.lastTop = el.scrollTop;
    this.place = this.measure();
  }

  private scrolled(): void {
    const el = this.el;
    if (!el?.clientHeight || this.hidden) return;
    const top = el.scrollTop;
    const fromBottom = el.scrollHeight - top - el.clientHeight;
    // Moving up releases the pin; content growing below a pinned view (no scroll by the reader) does not.
    if (fromBottom <= 1) this.pinned = true;
    else if (top < this.lastTop - 1) this.pinned = false;
    else if (fromBottom <= this.slack) this.pinned = true;
    this.lastTop = top;
    this.place = this.measure();
    if (this.pinned) this.setUnseen(false);
  }

  private measure(): Place | null {
    const el = this.el!;
    const edge = el.getBoundingClientRect().top;
    for (const row of el.querySelectorAll(this.rows)) {
      const box = row.getBoundingClientRect();
      if (box.bottom > edge && box.height > 0) return { row, top: box.top - edge };
    }
    return null;
  }

  /** The newest row is wholly inside the scroller's box (the reader sees it come). */
  private newestInView(): boolean {
    const el = this.el;
    const rows = el?.querySelectorAll(this.rows);
    const last = rows?.[rows.length - 1];
    if (!el?.clientHeight || !last) return false;
    const box = el.getBoundingClientRect();
    const row = last.getBoundingClientRect();
    return row.top >= box.top - 1 && row.bottom <= box.bottom + 1;
  }

  private offset(row: Element): number {
    return row.getBoundingClientRect().top - this.el!.getBoundingClientRect().top;
  }
}
