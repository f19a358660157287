import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The inbox's columns; below `NARROW_MAX` one shows at a time. */
export type InboxView = 'list' | 'conversation' | 'details';

/** narrow: one column at a time; medium: list and conversation, details on demand; wide: all three. */
export type InboxSize = 'narrow' | 'medium' | 'wide';

export const NARROW_MAX = 720;
export const MEDIUM_MAX = 1100;

// Our entries in the page's history carry this key beside whatever state the host page keeps.
const KEY = 'confabInbox';

const PARENT: Record<InboxView, InboxView> = { list: 'list', conversation: 'list', details: 'conversation' };

export function sizeOf(width: number): InboxSize {
  if (width < NARROW_MAX) return 'narrow';
  return width < MEDIUM_MAX ? 'medium' : 'wide';
}

function viewInHistory(): InboxView | null {
  const state: unknown = history.state;
  const view = state && typeof state === 'object' ? (state as Record<string, unknown>)[KEY] : null;
  return view === 'conversation' || view === 'details' ? view : null;
}

/**
 * Which column the inbox shows and how wide it is. In the one-column layout, drilling in (list →
 * conversation → details) pushes a history entry, so the browser's back button and the back
 * control both return; the host page's own entries are never replaced or removed.
 */
export class InboxNavigation implements ReactiveController {
  view: InboxView = 'list';
  size: InboxSize = 'wide';
  /** The details pane in the medium layout. */
  detailsOpen = false;
  private observer: ResizeObserver | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The view changed by going back or forward (the back control, the browser's buttons). */
    private readonly onChange: (from: InboxView, to: InboxView) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resize(this.host.getBoundingClientRect().width);
    this.observer = new ResizeObserver((entries) => {
      const width = entries[entries.length - 1]?.contentRect.width;
      if (width) this.resize(width);
    });
    this.observer.observe(this.host);
    window.addEventListener('popstate', this.onPopState);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
    window.removeEventListener('popstate', this.onPopState);
  }

  /** Whether the details pane is on screen. */
  get detailsShown(): boolean {
    if (this.size === 'wide') return true;
    return this.size === 'medium' ? this.detailsOpen : this.view === 'details';
  }

  /** Drills into a column; one entry in the page's history when a column replaces the one before. */
  open(view: 'conversation' | 'details'): void {
    if (view === 'details' && this.size !== 'narrow') {
      this.detailsOpen = !this.detailsOpen; // the medium layout's toggle
    } else {
      if (this.view !== view && this.size === 'narrow') {
        const state: unknown = history.state;
        history.pushState({ ...(state && typeof state === 'object' ? state : {}), [KEY]: view }, '');
      }
      this.view = view;
    }
    this.host.requestUpdate();
  }

  /** The back control: the browser's back when we added the entry (popstate follows), else straight there. */
  back(): void {
    if (this.size === 'narrow' && this.view !== 'list' && viewInHistory() === this.view) history.back();
    else this.go(PARENT[this.view]);
  }

  /** Closes the medium layout's details pane. */
  closeDetails(): void {
    this.detailsOpen = false;
    this.host.requestUpdate();
  }

  /** The visible column is gone (signed out, conversation closed): back to the list without history. */
  reset(): void {
    this.view = 'list';
    this.detailsOpen = false;
    this.host.requestUpdate();
  }

  private readonly onPopState = () => {
    const to = viewInHistory() ?? 'list';
    if (to !== this.view) this.go(to);
  };

  private go(to: InboxView): void {
    const from = this.view;
    this.view = to;
    this.host.requestUpdate();
    if (from !== to) this.onChange(from, to);
  }

  private resize(width: number): void {
    if (!width) return;
    const size = sizeOf(width);
    if (size === this.size) return;
    this.size = size;
    if (size !== 'narrow' && this.view === 'details') {
      this.view = 'conversation';
      this.detailsOpen = true;
    }
    this.host.requestUpdate();
  }
}
