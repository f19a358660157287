import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The visible part of the page, in CSS pixels from the top of the layout viewport. */
export interface VisibleViewport {
  height: number;
  top: number;
}

/**
 * Follows the visual viewport while asked to (`follow(true)`), re-rendering its host as it moves:
 * on phones it shrinks while the on-screen keyboard is up, and a panel sized to it stays above.
 * Stops when the host leaves the page.
 */
export class ViewportController implements ReactiveController {
  /** Null while not following, or where the browser has no visual viewport. */
  value: VisibleViewport | null = null;
  private readonly onChange = () => {
    const vv = window.visualViewport;
    this.value = vv ? { height: Math.round(vv.height), top: Math.round(vv.offsetTop) } : null;
    this.host.requestUpdate();
  };

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  follow(on: boolean): void {
    const vv = window.visualViewport;
    if (!vv) return;
    vv.removeEventListener('resize', this.onChange);
    vv.removeEventListener('scroll', this.onChange);
    if (!on) {
      if (this.value) {
        this.value = null;
        this.host.requestUpdate();
      }
      return;
    }
    vv.addEventListener('resize', this.onChange);
    vv.addEventListener('scroll', this.onChange);
    this.onChange();
  }

  hostDisconnected(): void {
    this.follow(false);
  }
}
