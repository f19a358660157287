import type { AttachmentDto, UploadsApi } from '@confab/sdk';
import type { ReactiveControllerHost } from 'lit';

// Signed links to files live 10 minutes, and the SDK reuses one until a minute before its end.
const SRC_RECHECK_MS = 45_000;

/** Where links come from: the SDK's `client.uploads`. */
export type FileUrls = Pick<UploadsApi, 'src' | 'thumbnailSrc'>;
type Kind = 'src' | 'thumbnailSrc';

/** The signed links of the files a thread shows, asked for as they are drawn and again before they expire. */
export class FileLinks {
  /** Signed links to files and to thumbnails (keyed `kind:id`), with when they were asked for ('' while asking). */
  private readonly srcs = new Map<string, { src: string; at: number }>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly urls: () => FileUrls | null,
  ) {}

  /** The signed link of an image's thumbnail, once known (as `srcFor`). */
  thumbnailFor(file: AttachmentDto): string | undefined {
    return this.linkFor(file, 'thumbnailSrc');
  }

  /**
   * The file's signed link, once known. Links last minutes: one held longer than SRC_RECHECK_MS is
   * asked for again (the SDK answers from its cache until the link nears its end, then signs anew),
   * while the old one stays on screen.
   */
  srcFor(file: AttachmentDto): string | undefined {
    return this.linkFor(file, 'src');
  }

  private linkFor(file: AttachmentDto, kind: Kind): string | undefined {
    const key = `${kind}:${file.id}`;
    const known = this.srcs.get(key);
    const urls = this.urls();
    if (!urls || (known && (!known.src || Date.now() - known.at < SRC_RECHECK_MS))) return known?.src || undefined;
    this.srcs.set(key, { src: known?.src ?? '', at: Date.now() });
    urls[kind](file).then(
      (src) => {
        this.srcs.set(key, { src, at: Date.now() });
        if (src !== known?.src) this.host.requestUpdate();
      },
      () => (known ? this.srcs.set(key, { src: known.src, at: Date.now() }) : this.srcs.delete(key)),
    );
    return known?.src || undefined;
  }

  /** A link signed now (the lightbox opens full size on it), else `fallback`. */
  async fresh(file: AttachmentDto, fallback: string): Promise<string> {
    const src = await this.urls()
      ?.src(file)
      .catch(() => null);
    if (src) this.srcs.set(`src:${file.id}`, { src, at: Date.now() });
    return src ?? fallback;
  }
}
