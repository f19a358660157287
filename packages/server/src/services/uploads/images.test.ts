import { createDeflate } from 'node:zlib';

import { LIMITS } from '@confab/protocol';
import exifr from 'exifr';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';

import { AppError } from '../../errors.js';
import { processImage } from './images.js';

const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };

function solid(width: number, height: number, background: object = RED): Sharp {
  return sharp({ create: { width, height, channels: 3, background } });
}

/** 300×200, left half red and right half blue, so a rotation shows in the pixels. */
async function halves(): Promise<Buffer> {
  const blue = await solid(150, 200, BLUE).png().toBuffer();
  return solid(300, 200)
    .composite([{ input: blue, left: 150, top: 0 }])
    .png()
    .toBuffer();
}

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

async function frames(count: number, format: 'gif' | 'webp'): Promise<Buffer> {
  // Why: distinct colours, since the GIF encoder merges identical consecutive frames.
  const parts = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      solid(64, 48, { r: 60 * i, g: 255 - 60 * i, b: 0 })
        .png()
        .toBuffer(),
    ),
  );
  const joined = sharp(parts, { join: { animated: true } });
  const delay = new Array<number>(count).fill(100);
  return format === 'gif' ? joined.gif({ delay, loop: 0 }).toBuffer() : joined.webp({ delay, loop: 0 }).toBuffer();
}

/** Inserts a JPEG comment (COM) segment right after SOI. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.from([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

/** A complete, valid 1-bit greyscale PNG of `side`×`side` black pixels: a few hundred KB that decode to side² pixels. */
async function pngBomb(side: number): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filter, no interlace
  const row = Buffer.alloc(1 + Math.ceil(side / 8)); // filter byte 0 + zero bits
  const rowsPerWrite = 256;
  const block = Buffer.concat(new Array<Buffer>(rowsPerWrite).fill(row));
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  for (let rows = 0; rows < side; rows += rowsPerWrite) {
    const n = Math.min(rowsPerWrite, side - rows);
    if (!deflate.write(n === rowsPerWrite ? block : block.subarray(0, n * row.length))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await done;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(parts)), chunk('IEND', Buffer.alloc(0))]);
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('processImage', () => {
  it('drops EXIF with GPS, XMP and comments from a JPEG', async () => {
    const plain = await solid(320, 240).jpeg().toBuffer();
    const tagged = await sharp(plain)
      .withExif({
        IFD0: { Artist: 'Someone Secret', Make: 'PhoneCo' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .jpeg()
      .toBuffer();
    const input = withComment(tagged, 'comment-secret');
    // The fixture really carries what must go.
    const gps = await exifr.gps(input);
    expect(gps?.latitude).toBeCloseTo(48.8567, 3);
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(before.xmp).toBeDefined();
    expect(input.includes('comment-secret')).toBe(true);

    const out = await processImage(input, 'image/jpeg');

    expect(out.mime).toBe('image/jpeg');
    expect([out.width, out.height]).toEqual([320, 240]);
    const after = await sharp(out.bytes).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(await exifr.parse(out.bytes, true)).toBeUndefined();
    for (const secret of ['comment-secret', 'Someone Secret', 'PhoneCo', 'xmpmeta']) {
      expect(out.bytes.includes(secret)).toBe(false);
    }
    expect(out.thumb.bytes.includes('PhoneCo')).toBe(false);
    expect((await sharp(out.thumb.bytes).metadata()).exif).toBeUndefined();
  });

  it('applies EXIF orientation 6: a 300×200 JPEG comes out 200×300, rotated clockwise', async () => {
    const input = await sharp(await halves())
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(input).metadata()).orientation).toBe(6);

    const out = await processImage(input, 'image/jpeg');

    expect([out.width, out.height]).toEqual([200, 300]);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([200, 300]);
    expect(meta.orientation).toBeUndefined();
    // The left (red) half of the stored pixels is now on top.
    const [r1, , b1] = await pixel(out.bytes, 100, 50);
    const [r2, , b2] = await pixel(out.bytes, 100, 250);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
    expect([out.thumb.width, out.thumb.height]).toEqual([200, 300]);
  });

  it('refuses a small PNG whose header says 50,000 × 50,000 as payload_too_large', async () => {
    const bomb = await pngBomb(50_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    const header = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([header.format, header.width, header.height]).toEqual(['png', 50_000, 50_000]);

    const err = await refusal(processImage(bomb, 'image/png'));

    expect(err.code).toBe('payload_too_large');
    expect(err.status).toBe(413);
    expect(err.message).toContain('50,000,000');
    expect(err.details).toEqual({ maxPixels: LIMITS.imagePixelsMax });
  });

  it("refuses a PNG over our 50 M pixel limit though under sharp's own default (268 M)", async () => {
    const bomb = await pngBomb(8_000); // 64 M pixels
    expect(bomb.length).toBeLessThan(50_000);
    expect((await refusal(processImage(bomb, 'image/png'))).code).toBe('payload_too_large');
  });

  it('accepts a 48-megapixel PNG, under the pixel limit', async () => {
    const ok = await processImage(await solid(8000, 6000).png().toBuffer(), 'image/png');
    expect([ok.width, ok.height]).toEqual([8000, 6000]);
    expect([ok.thumb.width, ok.thumb.height]).toEqual([480, 360]);
  });

  it('refuses JPEG magic followed by garbage, and a truncated JPEG, as unsupported_media_type', async () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 0x41)]);
    const garbled = await refusal(processImage(garbage, 'image/jpeg'));
    expect(garbled.code).toBe('unsupported_media_type');
    expect(garbled.status).toBe(415);

    const whole = await solid(400, 300).jpeg().toBuffer();
    const truncated = await refusal(processImage(whole.subarray(0, Math.floor(whole.length * 0.7)), 'image/jpeg'));
    expect(truncated.code).toBe('unsupported_media_type');
    expect(truncated.message).toMatch(/damaged|not a valid/);
  });

  it('refuses bytes that are not the image type they were sniffed as', async () => {
    const png = await solid(10, 10).png().toBuffer();
    expect((await refusal(processImage(png, 'image/jpeg'))).code).toBe('unsupported_media_type');
    expect((await refusal(processImage(png, 'image/svg+xml'))).code).toBe('unsupported_media_type');
  });

  it('keeps every frame of an animated GIF and thumbnails its first frame', async () => {
    const input = await frames(4, 'gif');
    expect((await sharp(input).metadata()).pages).toBe(4);

    const out = await processImage(input, 'image/gif');

    expect(out.mime).toBe('image/gif');
    expect([out.width, out.height]).toEqual([64, 48]);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.pages, meta.width, meta.height]).toEqual(['gif', 4, 64, 48]);
    const thumb = await sharp(out.thumb.bytes).metadata();
    expect(thumb.format).toBe('webp');
    expect(thumb.pages ?? 1).toBe(1);
    expect([out.thumb.width, out.thumb.height]).toEqual([64, 48]);
  });

  it('keeps every frame of an animated WebP', async () => {
    const out = await processImage(await frames(3, 'webp'), 'image/webp');
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.pages, out.width, out.height]).toEqual(['webp', 3, 64, 48]);
  });

  it('refuses an animation whose frames together pass the pixel limit', async () => {
    // 10 frames of 2500×2100 = 52.5 M decoded pixels, though each frame is well under the limit.
    const parts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        solid(2500, 2100, { r: 25 * i, g: 250 - 25 * i, b: 0 })
          .png()
          .toBuffer(),
      ),
    );
    const input = await sharp(parts, { join: { animated: true } })
      .gif({ delay: new Array<number>(10).fill(50), effort: 1, dither: 0 })
      .toBuffer();
    expect((await sharp(input).metadata()).pages).toBe(10);
    const err = await refusal(processImage(input, 'image/gif'));
    expect(err.code).toBe('payload_too_large');
  });

  it('fits the thumbnail in 480 × 480 as WebP: 4000×1000 → 480×120, and never enlarges', async () => {
    const out = await processImage(await solid(4000, 1000).png().toBuffer(), 'image/png');
    expect([out.width, out.height]).toEqual([4000, 1000]);
    expect(out.thumb.mime).toBe('image/webp');
    expect([out.thumb.width, out.thumb.height]).toEqual([LIMITS.thumbnailSide, 120]);
    const meta = await sharp(out.thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 480, 120]);

    const small = await processImage(await solid(100, 50).webp().toBuffer(), 'image/webp');
    expect(small.mime).toBe('image/webp');
    expect([small.thumb.width, small.thumb.height]).toEqual([100, 50]);
  });

  it('re-encodes PNG as PNG and keeps transparency', async () => {
    const input = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const out = await processImage(input, 'image/png');
    const meta = await sharp(out.bytes).metadata();
    expect([out.mime, meta.format, meta.hasAlpha]).toEqual(['image/png', 'png', true]);
  });
});
