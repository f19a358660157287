import type { ReadableStore } from '@confab/sdk';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Re-renders its host whenever an SDK store changes: subscribes while the host is connected,
 * unsubscribes when it leaves the page. The store may be swapped (`use`).
 */
export class StoreController<T> implements ReactiveController {
  private store: ReadableStore<T> | null = null;
  private off: (() => void) | null = null;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fallback: T,
  ) {
    host.addController(this);
  }

  /** The store's current state (the fallback while there is no store). */
  get value(): T {
    return this.store ? this.store.get() : this.fallback;
  }

  use(store: ReadableStore<T> | null): void {
    if (store === this.store) return;
    this.unsubscribe();
    this.store = store;
    if (this.connected) this.subscribe();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.connected = true;
    this.subscribe();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribe();
  }

  private subscribe(): void {
    if (this.store && !this.off) this.off = this.store.subscribe(() => this.host.requestUpdate());
  }

  private unsubscribe(): void {
    this.off?.();
    this.off = null;
  }
}
