import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Files dragged from the desktop onto an element: bind `onDragEnter`, `onDragOver`, `onDragLeave`
 * and `onDrop` in the template. `accept` returns where the files go, or null when they are not
 * taken (no uploads here): then the browser's own handling is left alone. `active` is true while
 * files are held over the element, for a "drop here" hint.
 *
 * @example
 * private readonly drop = new FileDrop(this, () => (this.upload ? (files) => this.addFiles(files) : null));
 * html`<div @dragenter=${this.drop.onDragEnter} @dragover=${this.drop.onDragOver}
 *   @dragleave=${this.drop.onDragLeave} @drop=${this.drop.onDrop}></div>`
 */
export class FileDrop implements ReactiveController {
  active = false;
  // dragenter/dragleave fire for every child crossed: count them to know when the files left.
  private depth = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly accept: () => ((files: File[]) => void) | null,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.reset();
  }

  readonly onDragEnter = (e: DragEvent): void => {
    if (!this.carriesFiles(e)) return;
    e.preventDefault();
    this.depth++;
    this.setActive(true);
  };

  readonly onDragOver = (e: DragEvent): void => {
    if (!this.carriesFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.setActive(true);
  };

  readonly onDragLeave = (e: DragEvent): void => {
    if (!this.carriesFiles(e)) return;
    this.depth = Math.max(0, this.depth - 1);
    if (!this.depth) this.setActive(false);
  };

  readonly onDrop = (e: DragEvent): void => {
    const take = this.accept();
    const files = [...(e.dataTransfer?.files ?? [])];
    this.reset();
    if (!take || !files.length) return;
    e.preventDefault();
    // The composer inside the thread also listens: the files are added once.
    e.stopPropagation();
    take(files);
  };

  private carriesFiles(e: DragEvent): boolean {
    return this.accept() !== null && (e.dataTransfer?.types.includes('Files') ?? false);
  }

  private reset(): void {
    this.depth = 0;
    this.setActive(false);
  }

  private setActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    this.host.requestUpdate();
  }
}
