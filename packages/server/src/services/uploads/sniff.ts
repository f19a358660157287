/**
 * Upload type detection from content (magic numbers) against a fixed allowlist, and
 * display-name sanitising. Anything not recognised is refused rather than guessed.
 */

export interface SniffedType {
  mime: string; // e.g. 'image/png'
  ext: string; // e.g. 'png' (no dot)
  /** Raster image that is safe to show inline (png, jpeg, gif, webp). */
  inline: boolean;
  width: number | null; // images only, from the header
  height: number | null;
}

type Size = [width: number, height: number];

const MAX_SIDE = 50_000;
const MAX_NAME = 200;
// Why: OOXML parts sit near the start; scanning further only adds false positives and cost.
const ZIP_SCAN_LIMIT = 1 << 20;
/** What an upload is typed from: the zip scan's reach, so a longer file types as its whole would. */
export const SNIFF_BYTES = ZIP_SCAN_LIMIT;
const TEXT_SCAN = 4096;
/** Enough of a file to tell the formats known by their first bytes alone (a tar header is 512). */
export const MAGIC_BYTES = 4096;

const PNG = '\x89PNG\r\n\x1a\n';
const OLE = '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1';
const SEVEN_ZIP = '7z\xbc\xaf\x27\x1c';

const OOXML: ReadonlyArray<[prefix: string, mime: string, ext: string]> = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
];

const ODF: ReadonlyArray<[mime: string, ext: string]> = [
  ['application/vnd.oasis.opendocument.text', 'odt'],
  ['application/vnd.oasis.opendocument.spreadsheet', 'ods'],
  ['application/vnd.oasis.opendocument.presentation', 'odp'],
];

const OLE_TYPES: Readonly<Record<string, string>> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

const MARKUP = ['<html', '<script', '<svg', '<!doctype', '<?xml', '<iframe', '<body', '<head'];

// Why: bytes cannot tell a script from prose, and a download named like this may be executed or rendered.
const SCRIPT_EXTS = new Set([
  'js',
  'mjs',
  'cjs',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'svg',
  'xml',
  'xsl',
  'xslt',
  'hta',
  'vbs',
  'vbe',
  'wsf',
  'bat',
  'cmd',
  'ps1',
  'sh',
  'php',
]);

// Allowed controls are \t \n \f \r; DEL counts as a control too.
const ALLOWED_TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

// Controls, format chars (bidi overrides, zero-width, BOM) and lone surrogates, but not ZWNJ/ZWJ.
const BAD_NAME_CHARS = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Cs}]/gu;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether the first `MAGIC_BYTES` (or more) of a longer file already type it as its first
 * `SNIFF_BYTES` would: formats told by their first bytes alone (PDF, gzip, 7z, RAR, OLE, tar, and
 * executables, refused). Zip containers, text and images (whose headers give their size) need
 * the rest. Uploads of those formats then hold 4 KiB while being typed instead of a MiB.
 */
export function typedByMagic(head: Uint8Array): boolean {
  if (head.length < MAGIC_BYTES) return false;
  return (
    ['%PDF-', '\x1f\x8b\x08', SEVEN_ZIP, 'Rar!\x1a\x07', OLE, 'MZ', '\x7fELF'].some((magic) => at(head, 0, magic)) ||
    (isTar(head) && !['PK', '\x89PNG', '\xff\xd8\xff', 'GIF8', 'RIFF'].some((magic) => at(head, 0, magic)))
  );
}

/**
 * The type of an upload from its bytes (magic numbers), never from its name or a client MIME.
 * `filename` only chooses among types the bytes cannot tell apart (legacy OLE .doc/.xls/.ppt; text as .csv/.md/.txt).
 * `partial`: `bytes` are the first of a longer file (uploads are sniffed from their first `SNIFF_BYTES`).
 * Returns null for anything outside the allowlist, including HTML, SVG, XML, JavaScript, executables, empty files.
 */
export function sniffFile(bytes: Uint8Array, filename: string, options: { partial?: boolean } = {}): SniffedType | null {
  if (bytes.length === 0) return null;
  if (at(bytes, 0, PNG)) return image('image/png', 'png', pngSize(bytes));
  if (at(bytes, 0, '\xff\xd8\xff')) return image('image/jpeg', 'jpg', jpegSize(bytes));
  if (at(bytes, 0, 'GIF87a') || at(bytes, 0, 'GIF89a')) return image('image/gif', 'gif', gifSize(bytes));
  if (at(bytes, 0, 'RIFF') && at(bytes, 8, 'WEBP')) return image('image/webp', 'webp', webpSize(bytes));
  if (at(bytes, 0, '%PDF-')) return file('application/pdf', 'pdf');
  if (at(bytes, 0, 'PK\x03\x04')) return sniffZip(bytes);
  // Why: an empty archive is only its 22-byte end-of-central-directory record.
  if (at(bytes, 0, 'PK\x05\x06') && bytes.length >= 22) return file('application/zip', 'zip');
  if (at(bytes, 0, OLE)) return sniffOle(filename);
  // Why: deflate (8) is the only gzip method in use; requiring it avoids two-byte coincidences.
  if (at(bytes, 0, '\x1f\x8b\x08')) return file('application/gzip', 'gz');
  if (at(bytes, 0, SEVEN_ZIP)) return file('application/x-7z-compressed', '7z');
  if (at(bytes, 0, 'Rar!\x1a\x07')) return file('application/vnd.rar', 'rar');
  if (isTar(bytes)) return file('application/x-tar', 'tar');
  if (at(bytes, 0, 'MZ') || at(bytes, 0, '\x7fELF')) return null;
  return sniffText(bytes, filename, options.partial ?? false);
}

/**
 * A display name safe to store and show: basename only (split on / and \), no control or bidi-override chars,
 * no leading dots or spaces, collapsed whitespace, at most 200 chars (keep the extension when truncating),
 * 'file' when nothing is left.
 */
export function safeFileName(name: string): string {
  const base =
    name
      .normalize('NFC')
      .split(/[/\\]/)
      .filter((part) => part.length > 0)
      .pop() ?? '';
  const clean = base
    .replace(/\s/g, ' ')
    .replace(BAD_NAME_CHARS, '')
    .replace(/ {2,}/g, ' ')
    .replace(/^[. ]+/, '')
    .trimEnd();
  return truncateName(clean, MAX_NAME) || 'file';
}

function file(mime: string, ext: string): SniffedType {
  return { mime, ext, inline: false, width: null, height: null };
}

function image(mime: string, ext: string, size: Size | null): SniffedType | null {
  // Why: an image whose header we cannot read, or with absurd dimensions, is not served as an image.
  if (!size) return null;
  const [width, height] = size;
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) return null;
  return { mime, ext, inline: true, width, height };
}

function pngSize(b: Uint8Array): Size | null {
  if (b.length < 24 || !at(b, 12, 'IHDR')) return null;
  return [u32be(b, 16), u32be(b, 20)];
}

function jpegSize(b: Uint8Array): Size | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = byte(b, i + 1);
    // Fill bytes: 0xFF may repeat before the marker code.
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    // Standalone markers (TEM, RSTn) carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    // Scan data, end of image, stuffing or a second SOI before any frame header: unreadable.
    if (marker === 0xda || marker === 0xd9 || marker === 0xd8 || marker === 0x00) return null;
    const length = u16be(b, i + 2);
    if (length < 2) return null;
    // SOFn frames; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7 || i + 9 > b.length) return null;
      return [u16be(b, i + 7), u16be(b, i + 5)];
    }
    i += 2 + length;
  }
  return null;
}

function gifSize(b: Uint8Array): Size | null {
  if (b.length < 10) return null;
  return [u16le(b, 6), u16le(b, 8)];
}

function webpSize(b: Uint8Array): Size | null {
  if (at(b, 12, 'VP8X')) {
    if (b.length < 30) return null;
    return [1 + u24le(b, 24), 1 + u24le(b, 27)];
  }
  if (at(b, 12, 'VP8L')) {
    if (b.length < 25 || b[20] !== 0x2f) return null;
    const bits = u32le(b, 21);
    return [1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff)];
  }
  if (at(b, 12, 'VP8 ')) {
    // Why: the keyframe start code proves the following bytes are the frame dimensions.
    if (b.length < 30 || !at(b, 23, '\x9d\x01\x2a')) return null;
    return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  }
  return null;
}

function sniffZip(b: Uint8Array): SniffedType {
  const odf = odfType(b);
  if (odf) return odf;
  const end = Math.min(b.length, ZIP_SCAN_LIMIT);
  for (let i = 0; i + 30 <= end; i++) {
    if (b[i] !== 0x50 || !at(b, i, 'PK\x03\x04')) continue;
    const nameLength = u16le(b, i + 26);
    for (const [prefix, mime, ext] of OOXML) {
      if (nameLength >= prefix.length && at(b, i + 30, prefix)) return file(mime, ext);
    }
  }
  return file('application/zip', 'zip');
}

function odfType(b: Uint8Array): SniffedType | null {
  // OpenDocument puts an uncompressed `mimetype` entry first, so its content is readable in place.
  if (b.length < 38 || u16le(b, 8) !== 0 || u16le(b, 26) !== 8 || !at(b, 30, 'mimetype')) return null;
  const start = 38 + u16le(b, 28);
  const size = u32le(b, 18);
  for (const [mime, ext] of ODF) {
    if (size === mime.length && at(b, start, mime)) return file(mime, ext);
  }
  return null;
}

function sniffOle(filename: string): SniffedType | null {
  // Why: a compound file can also be an .msi or other container; only trust the three Office names.
  const ext = extensionOf(filename);
  const mime = Object.hasOwn(OLE_TYPES, ext) ? OLE_TYPES[ext] : undefined;
  return mime ? file(mime, ext) : null;
}

function isTar(b: Uint8Array): boolean {
  if (b.length < 512 || !at(b, 257, 'ustar')) return false;
  // Why: a valid header checksum keeps text that happens to contain `ustar` at 257 from passing as tar.
  const field = latin1(b, 148, 8)
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (!/^[0-7]{1,8}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : byte(b, i);
  return sum === parseInt(field, 8);
}

function sniffText(b: Uint8Array, filename: string, partial: boolean): SniffedType | null {
  let text: string;
  try {
    // The first bytes of a longer file may end inside a character: streaming decode leaves it out.
    text = partial ? new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true }) : utf8.decode(b);
  } catch {
    return null;
  }
  // The decoder drops a leading BOM, so a BOM-only file is empty here.
  if (text.length === 0 || hasBadControl(text)) return null;
  const head = text.trimStart();
  if (head.startsWith('<') || head.startsWith('#!')) return null;
  const start = text.slice(0, TEXT_SCAN).toLowerCase();
  if (MARKUP.some((tag) => start.includes(tag))) return null;
  const ext = extensionOf(filename);
  if (SCRIPT_EXTS.has(ext)) return null;
  if (ext === 'csv') return file('text/csv', 'csv');
  if (ext === 'md' || ext === 'markdown') return file('text/markdown', 'md');
  return file('text/plain', 'txt');
}

function hasBadControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x7f || (code < 0x20 && !ALLOWED_TEXT_CONTROLS.has(code))) return true;
  }
  return false;
}

function extensionOf(filename: string): string {
  // Why: Windows ignores trailing dots and spaces, so `a.js.` is still a .js file.
  const base = (filename.split(/[/\\]/).pop() ?? '').replace(/[. ]+$/, '');
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function truncateName(name: string, max: number): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && /^\.[^. ]{1,15}$/.test(name.slice(dot)) ? name.slice(dot) : '';
  const stem = ext ? name.slice(0, dot) : name;
  let out = '';
  // Why: iterate by code point so truncation never leaves half a surrogate pair.
  for (const char of stem) {
    if (out.length + char.length > max - ext.length) break;
    out += char;
  }
  return out.trimEnd() + ext;
}

function at(b: Uint8Array, offset: number, signature: string): boolean {
  if (offset + signature.length > b.length) return false;
  for (let i = 0; i < signature.length; i++) {
    if (b[offset + i] !== signature.charCodeAt(i)) return false;
  }
  return true;
}

// Why: a header field may run past a truncated file; missing bytes read as 0 rather than as undefined.
function byte(b: Uint8Array, i: number): number {
  return b[i] ?? 0;
}

function latin1(b: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...b.subarray(offset, offset + length));
}

function u16be(b: Uint8Array, i: number): number {
  return (byte(b, i) << 8) | byte(b, i + 1);
}

function u16le(b: Uint8Array, i: number): number {
  return byte(b, i) | (byte(b, i + 1) << 8);
}

function u24le(b: Uint8Array, i: number): number {
  return byte(b, i) | (byte(b, i + 1) << 8) | (byte(b, i + 2) << 16);
}

function u32be(b: Uint8Array, i: number): number {
  return ((byte(b, i) << 24) | (byte(b, i + 1) << 16) | (byte(b, i + 2) << 8) | byte(b, i + 3)) >>> 0;
}

function u32le(b: Uint8Array, i: number): number {
  return (byte(b, i) | (byte(b, i + 1) << 8) | (byte(b, i + 2) << 16) | (byte(b, i + 3) << 24)) >>> 0;
}
