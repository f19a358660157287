/**
 * Uploaded images, decoded and re-encoded: EXIF orientation applied, every metadata block
 * (EXIF with GPS, XMP, IPTC, comments) dropped, colours in sRGB, plus a small WebP thumbnail.
 * Re-encoding is what proves an upload is an image: anything libvips cannot decode is refused.
 */
import { availableParallelism } from 'node:os';

import { LIMITS } from '@confab/protocol';
import sharp, { type Sharp, type SharpOptions } from 'sharp';

import { AppError } from '../../errors.js';

/** An image as stored and served, and its thumbnail. Sizes are of the decoded, oriented image. */
export interface ProcessedImage {
  bytes: Buffer;
  mime: string;
  width: number;
  height: number;
  thumb: { bytes: Buffer; mime: string; width: number; height: number };
}

type Format = 'jpeg' | 'png' | 'gif' | 'webp';

const FORMATS: Readonly<Record<string, Format>> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const JPEG_QUALITY = 88;
const WEBP_QUALITY = 88;
const THUMB_QUALITY = 80;

// Why: one libvips thread per image and one image per core keeps a burst of uploads from
// oversubscribing a small machine; libvips' operation cache only holds memory for inputs never seen again.
const SLOTS = Math.max(1, availableParallelism());
sharp.concurrency(1);
sharp.cache(false);

let running = 0;
const waiting: Array<() => void> = [];

/**
 * Decodes `input` (already sniffed as `mime`: image/jpeg, png, gif or webp) and re-encodes it in
 * the same format without metadata, with a thumbnail that fits in LIMITS.thumbnailSide² (WebP,
 * first frame, never enlarged). Animated GIF/WebP keep all their frames.
 * Throws AppError `payload_too_large` past LIMITS.imagePixelsMax decoded pixels (all frames
 * counted) and `unsupported_media_type` for anything that does not decode cleanly.
 */
export async function processImage(input: Buffer, mime: string): Promise<ProcessedImage> {
  const format = FORMATS[mime];
  if (!format) throw new AppError('unsupported_media_type', `${mime} is not an image type that can be shown inline`);
  await acquire();
  try {
    return await encode(input, format);
  } catch (err) {
    throw asAppError(err);
  } finally {
    release();
  }
}

async function encode(input: Buffer, format: Format): Promise<ProcessedImage> {
  const maxPixels = LIMITS.imagePixelsMax;
  const meta = await sharp(input, { failOn: 'warning' }).metadata();
  if (meta.format !== format) {
    throw new AppError('unsupported_media_type', 'The file content does not match its image type');
  }
  const frames = meta.pages ?? 1;
  const frameHeight = meta.pageHeight ?? meta.height;
  // Why: sharp checks one frame's header size; an animation decodes every frame, so count them all.
  if (meta.width * frameHeight * frames > maxPixels) throw tooLarge(maxPixels);

  const animated = frames > 1 && (format === 'gif' || format === 'webp');
  const options: SharpOptions = { failOn: 'warning', limitInputPixels: maxPixels, autoOrient: !animated };
  const main = await encoder(sharp(input, { ...options, animated }), format, meta.isPalette).toBuffer({
    resolveWithObject: true,
  });
  const thumb = await sharp(input, options)
    .resize(LIMITS.thumbnailSide, LIMITS.thumbnailSide, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: THUMB_QUALITY })
    .toBuffer({ resolveWithObject: true });

  return {
    bytes: main.data,
    mime: `image/${format}`,
    width: main.info.width,
    height: animated ? (main.info.pageHeight ?? frameHeight) : main.info.height,
    thumb: { bytes: thumb.data, mime: 'image/webp', width: thumb.info.width, height: thumb.info.height },
  };
}

function encoder(image: Sharp, format: Format, palette: boolean): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: JPEG_QUALITY, mozjpeg: false });
    case 'png':
      // Why: keeping a palette image paletted avoids tripling the size of screenshots and icons.
      return image.png({ palette });
    case 'webp':
      return image.webp({ quality: WEBP_QUALITY });
    case 'gif':
      return image.gif();
  }
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(message)) return tooLarge(LIMITS.imagePixelsMax);
  return new AppError('unsupported_media_type', 'The image is damaged or not a valid PNG, JPEG, GIF or WebP file');
}

function tooLarge(maxPixels: number): AppError {
  return new AppError(
    'payload_too_large',
    `The image is too large: at most ${maxPixels.toLocaleString('en-US')} pixels (width × height, all frames) are allowed`,
    { maxPixels },
  );
}

async function acquire(): Promise<void> {
  if (running < SLOTS) {
    running += 1;
    return;
  }
  // Why: a released slot passes straight to the next waiter, so `running` stays counted.
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}
