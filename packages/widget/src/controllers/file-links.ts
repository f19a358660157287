import type { AttachmentDto } from '@confab/sdk';
import type { ReactiveControllerHost } from 'lit';

// Signed links to files live 10 minutes, and the SDK reuses one until a minute before its end.
const SRC_RECHECK_MS = 45_000;

/** The signed links of the files a thread shows, asked for as they are drawn and again before they expire. */
export class FileLinks {
  /** Signed links to files, with when they were asked for ('' while asking). */
  private readonly srcs = new Map<string, { src: string; at: number }>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly resolve: () => ((attachment: AttachmentDto) => Promise<string>) | null,
  ) {}

  /**
   * The file's signed link, once known. Links last minutes: one held longer than SRC_RECHECK_MS is
   * asked for again (the SDK answers from its cache until the link nears its end, then signs anew),
   * while the old one stays on screen.
   */
  srcFor(file: AttachmentDto): string | undefined {
    const known = this.srcs.get(file.id);
    const resolve = this.resolve();
    if (!resolve || (known && (!known.src || Date.now() - known.at < SRC_RECHECK_MS))) return known?.src || undefined;
    this.srcs.set(file.id, { src: known?.src ?? '', at: Date.now() });
    resolve(file).then(
      (src) => {
        this.srcs.set(file.id, { src, at: Date.now() });
        if (src !== known?.src) this.host.requestUpdate();
      },
      () => (known ? this.srcs.set(file.id, { src: known.src, at: Date.now() }) : this.srcs.delete(file.id)),
    );
    return known?.src || undefined;
  }

  /** A link signed now (the lightbox opens full size on it), else `fallback`. */
  async fresh(file: AttachmentDto, fallback: string): Promise<string> {
    const src = await this.resolve()?.(file).catch(() => null);
    if (src) this.srcs.set(file.id, { src, at: Date.now() });
    return src ?? fallback;
  }
}
