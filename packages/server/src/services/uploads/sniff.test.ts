import { describe, expect, it } from 'vitest';

import { MAGIC_BYTES, safeFileName, sniffFile, typedByMagic } from './sniff.js';

// A real 1x1 RGBA PNG and a real 1x1 GIF89a.
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const GIF_1X1 = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

const fromBase64 = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const bytes = (...parts: Array<number[] | string | Uint8Array>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? ascii(p) : Array.from(p))));
const u16le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const u16be = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
const u24le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
const u32le = (n: number): number[] => [...u16le(n & 0xffff), ...u16le(n >>> 16)];
const u32be = (n: number): number[] => [...u16be(n >>> 16), ...u16be(n & 0xffff)];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

function pngWithSize(width: number, height: number): Uint8Array {
  const png = fromBase64(PNG_1X1);
  png.set(u32be(width), 16);
  png.set(u32be(height), 20);
  return png;
}

function jpeg(...segments: number[][]): Uint8Array {
  return bytes([0xff, 0xd8], ...segments, [0xff, 0xd9]);
}
const segment = (marker: number, payload: number[]): number[] => [0xff, marker, ...u16be(payload.length + 2), ...payload];
const APP0 = segment(0xe0, [...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const DHT = segment(0xc4, [0x00, ...zeros(16)]);
const sof = (marker: number, width: number, height: number): number[] =>
  segment(marker, [8, ...u16be(height), ...u16be(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);

function webp(chunk: string, payload: number[]): Uint8Array {
  const body = bytes('WEBP', chunk, u32le(payload.length), payload);
  return bytes('RIFF', u32le(body.length), body);
}

function zipEntry(name: string, data: string, method = 0): number[] {
  return [
    ...ascii('PK\x03\x04'),
    ...u16le(20),
    ...u16le(0),
    ...u16le(method),
    ...u16le(0),
    ...u16le(0),
    ...u32le(0),
    ...u32le(data.length),
    ...u32le(data.length),
    ...u16le(name.length),
    ...u16le(0),
    ...ascii(name),
    ...ascii(data),
  ];
}
const zip = (...entries: number[][]): Uint8Array => bytes(...entries, 'PK\x05\x06', zeros(18));

const OLE_HEADER = bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], zeros(504));

function tarHeader(name: string, corruptChecksum = false): Uint8Array {
  const h = new Uint8Array(1024);
  h.set(ascii(name), 0);
  h.set(ascii('0000644\0'), 100);
  h.set(ascii('00000000005\0'), 124);
  h.set(ascii('ustar\x0000'), 257);
  h.set(ascii('        '), 148);
  const sum = h.subarray(0, 512).reduce((a, v) => a + v, 0) + (corruptChecksum ? 1 : 0);
  h.set(ascii(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return h;
}

describe('sniffFile: images', () => {
  it('reads PNG dimensions from IHDR', () => {
    expect(sniffFile(fromBase64(PNG_1X1), 'pixel.png')).toEqual({
      mime: 'image/png',
      ext: 'png',
      inline: true,
      width: 1,
      height: 1,
    });
    expect(sniffFile(pngWithSize(800, 600), 'x.png')).toMatchObject({ width: 800, height: 600 });
  });

  it('ignores the name: a PNG named .txt is a PNG', () => {
    expect(sniffFile(fromBase64(PNG_1X1), 'notes.txt')).toMatchObject({ mime: 'image/png', ext: 'png' });
  });

  it('refuses truncated, zero-sized and absurdly large PNGs', () => {
    expect(sniffFile(fromBase64(PNG_1X1).subarray(0, 20), 'a.png')).toBeNull();
    expect(sniffFile(fromBase64(PNG_1X1).subarray(0, 8), 'a.png')).toBeNull();
    expect(sniffFile(pngWithSize(0, 10), 'a.png')).toBeNull();
    expect(sniffFile(pngWithSize(60_000, 10), 'a.png')).toBeNull();
    expect(sniffFile(pngWithSize(50_000, 50_000), 'a.png')).toMatchObject({ width: 50_000 });
  });

  it('walks JPEG markers to the SOF frame, skipping DHT and fill bytes', () => {
    expect(sniffFile(jpeg(APP0, sof(0xc0, 640, 480)), 'p.jpg')).toEqual({
      mime: 'image/jpeg',
      ext: 'jpg',
      inline: true,
      width: 640,
      height: 480,
    });
    expect(sniffFile(jpeg(APP0, DHT, [0xff, 0xff], sof(0xc2, 1024, 768)), 'p.jpeg')).toMatchObject({
      width: 1024,
      height: 768,
    });
  });

  it('refuses JPEGs without a readable frame header', () => {
    expect(sniffFile(jpeg(APP0), 'p.jpg')).toBeNull();
    expect(sniffFile(jpeg(APP0, sof(0xc0, 640, 480)).subarray(0, 26), 'p.jpg')).toBeNull();
    expect(sniffFile(jpeg(APP0, sof(0xc0, 640, 0)), 'p.jpg')).toBeNull();
    expect(sniffFile(bytes([0xff, 0xd8, 0xff]), 'p.jpg')).toBeNull();
  });

  it('reads the GIF logical screen size', () => {
    expect(sniffFile(fromBase64(GIF_1X1), 'a.gif')).toEqual({
      mime: 'image/gif',
      ext: 'gif',
      inline: true,
      width: 1,
      height: 1,
    });
    expect(sniffFile(bytes('GIF87a', u16le(300), u16le(200), [0, 0, 0]), 'a.gif')).toMatchObject({
      width: 300,
      height: 200,
    });
    expect(sniffFile(bytes('GIF89a', [1]), 'a.gif')).toBeNull();
  });

  it('reads WebP VP8X, VP8L and VP8 headers', () => {
    const vp8x = webp('VP8X', [0x10, 0, 0, 0, ...u24le(399), ...u24le(299)]);
    expect(sniffFile(vp8x, 'a.webp')).toEqual({
      mime: 'image/webp',
      ext: 'webp',
      inline: true,
      width: 400,
      height: 300,
    });
    const bits = (123 - 1) | ((45 - 1) << 14);
    expect(sniffFile(webp('VP8L', [0x2f, ...u32le(bits), 0, 0]), 'a.webp')).toMatchObject({ width: 123, height: 45 });
    const vp8 = webp('VP8 ', [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...u16le(320), ...u16le(240), 0, 0]);
    expect(sniffFile(vp8, 'a.webp')).toMatchObject({ width: 320, height: 240 });
  });

  it('refuses truncated or unknown WebP', () => {
    expect(sniffFile(webp('VP8X', [0x10, 0, 0, 0]), 'a.webp')).toBeNull();
    expect(sniffFile(webp('VP8 ', [0x50, 0x02, 0x00, 0, 0, 0, ...u16le(320), ...u16le(240)]), 'a.webp')).toBeNull();
    expect(sniffFile(webp('ABCD', zeros(16)), 'a.webp')).toBeNull();
  });
});

describe('sniffFile: documents and archives', () => {
  it('detects PDF', () => {
    expect(sniffFile(text('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n'), 'doc.bin')).toEqual({
      mime: 'application/pdf',
      ext: 'pdf',
      inline: false,
      width: null,
      height: null,
    });
  });

  it('tells OOXML documents apart by their part names', () => {
    const docx = zip(zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('word/document.xml', '<w:document/>'));
    expect(sniffFile(docx, 'a.zip')).toMatchObject({
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ext: 'docx',
      inline: false,
    });
    expect(sniffFile(zip(zipEntry('xl/workbook.xml', '<x/>')), 'a')).toMatchObject({
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ext: 'xlsx',
    });
    expect(sniffFile(zip(zipEntry('ppt/presentation.xml', '<p/>')), 'a')).toMatchObject({
      mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      ext: 'pptx',
    });
  });

  it('reads the OpenDocument mimetype entry', () => {
    const odf = (mime: string) => zip(zipEntry('mimetype', mime), zipEntry('content.xml', '<office/>', 8));
    expect(sniffFile(odf('application/vnd.oasis.opendocument.text'), 'a.docx')).toMatchObject({
      mime: 'application/vnd.oasis.opendocument.text',
      ext: 'odt',
    });
    expect(sniffFile(odf('application/vnd.oasis.opendocument.spreadsheet'), 'a')).toMatchObject({ ext: 'ods' });
    expect(sniffFile(odf('application/vnd.oasis.opendocument.presentation'), 'a')).toMatchObject({ ext: 'odp' });
    // A template's mimetype merely starts with the text type: it stays a plain zip.
    expect(sniffFile(odf('application/vnd.oasis.opendocument.text-template'), 'a.ott')).toMatchObject({
      mime: 'application/zip',
      ext: 'zip',
    });
  });

  it('falls back to application/zip, including the empty zip', () => {
    expect(sniffFile(zip(zipEntry('hello.txt', 'hi')), 'a.docx')).toEqual({
      mime: 'application/zip',
      ext: 'zip',
      inline: false,
      width: null,
      height: null,
    });
    expect(sniffFile(zip(), 'empty.zip')).toMatchObject({ mime: 'application/zip', ext: 'zip' });
  });

  it('names legacy OLE files by extension and refuses other compound files', () => {
    expect(sniffFile(OLE_HEADER, 'report.doc')).toMatchObject({ mime: 'application/msword', ext: 'doc' });
    expect(sniffFile(OLE_HEADER, 'Budget.XLS')).toMatchObject({ mime: 'application/vnd.ms-excel', ext: 'xls' });
    expect(sniffFile(OLE_HEADER, 'deck.ppt')).toMatchObject({ mime: 'application/vnd.ms-powerpoint', ext: 'ppt' });
    expect(sniffFile(OLE_HEADER, 'setup.msi')).toBeNull();
    expect(sniffFile(OLE_HEADER, 'noext')).toBeNull();
    expect(sniffFile(OLE_HEADER, 'x.constructor')).toBeNull();
  });

  it('detects gzip, 7z, rar and tar', () => {
    expect(sniffFile(bytes([0x1f, 0x8b, 0x08, 0], zeros(16)), 'a')).toMatchObject({ mime: 'application/gzip', ext: 'gz' });
    expect(sniffFile(bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4], zeros(24)), 'a')).toMatchObject({
      mime: 'application/x-7z-compressed',
      ext: '7z',
    });
    expect(sniffFile(bytes('Rar!\x1a\x07\x00', zeros(8)), 'a')).toMatchObject({ mime: 'application/vnd.rar', ext: 'rar' });
    expect(sniffFile(bytes('Rar!\x1a\x07\x01\x00', zeros(8)), 'a')).toMatchObject({ ext: 'rar' });
    expect(sniffFile(tarHeader('hello.txt'), 'a')).toEqual({
      mime: 'application/x-tar',
      ext: 'tar',
      inline: false,
      width: null,
      height: null,
    });
    expect(sniffFile(tarHeader('hello.txt', true), 'a.tar')).toBeNull();
  });
});

describe('sniffFile: text', () => {
  it('accepts UTF-8 text, with emoji and a BOM', () => {
    expect(sniffFile(text('Hello 👋 wörld\r\n\tindented\f\n'), 'notes')).toEqual({
      mime: 'text/plain',
      ext: 'txt',
      inline: false,
      width: null,
      height: null,
    });
    expect(sniffFile(bytes([0xef, 0xbb, 0xbf], text('with bom')), 'a.txt')).toMatchObject({ mime: 'text/plain' });
  });

  it('uses the name only to choose csv, markdown or plain text', () => {
    const csv = text('name,amount\n"Zoë",12.50\n');
    expect(sniffFile(csv, 'export.CSV')).toMatchObject({ mime: 'text/csv', ext: 'csv', inline: false });
    expect(sniffFile(text('# Title\n\n- item\n'), 'README.md')).toMatchObject({ mime: 'text/markdown', ext: 'md' });
    expect(sniffFile(text('# Title\n'), 'a.markdown')).toMatchObject({ mime: 'text/markdown', ext: 'md' });
    expect(sniffFile(csv, 'export.png')).toMatchObject({ mime: 'text/plain', ext: 'txt' });
  });

  it('refuses text whose name is a script or markup type', () => {
    expect(sniffFile(text('alert(1)\n'), 'x.js')).toBeNull();
    expect(sniffFile(text('echo hi\n'), 'run.BAT')).toBeNull();
    expect(sniffFile(text('alert(1)\n'), 'x.js.')).toBeNull();
  });

  it('refuses invalid UTF-8, NULs, other controls and empty input', () => {
    expect(sniffFile(bytes([0x68, 0x69, 0xc3, 0x28]), 'a.txt')).toBeNull();
    expect(sniffFile(bytes([0xc0, 0xaf]), 'a.txt')).toBeNull();
    expect(sniffFile(bytes([0xff, 0xfe], text('hi')), 'a.txt')).toBeNull();
    expect(sniffFile(text('abc\0def'), 'a.txt')).toBeNull();
    expect(sniffFile(text('bell\x07'), 'a.txt')).toBeNull();
    expect(sniffFile(text('esc \x1b[31m'), 'a.txt')).toBeNull();
    expect(sniffFile(new Uint8Array(0), 'a.txt')).toBeNull();
    expect(sniffFile(bytes([0xef, 0xbb, 0xbf]), 'a.txt')).toBeNull();
  });
});

describe('sniffFile: refused content', () => {
  it.each([
    ['HTML', '<html><body>hi</body></html>'],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['XML-declared SVG', '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['doctype', '<!DOCTYPE html>\n<title>x</title>'],
    ['leading whitespace then HTML', '   \n\t <html>'],
    ['BOM then markup', '\ufeff<p>hi</p>'],
    ['markup after prose', 'Hello there\n<SCRIPT>alert(1)</SCRIPT>'],
    ['iframe after prose', 'see <IFrame src="https://evil.example">'],
    ['shell script', '#!/bin/sh\nrm -rf /\n'],
  ])('refuses %s', (_label, content) => {
    expect(sniffFile(text(content), 'a.txt')).toBeNull();
  });

  it('does not let a name turn HTML into an image', () => {
    expect(sniffFile(text('<html><img src=x onerror=alert(1)></html>'), 'cat.png')).toBeNull();
  });

  it('refuses executables', () => {
    expect(sniffFile(bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0], zeros(54)), 'a.txt')).toBeNull();
    expect(sniffFile(bytes([0x7f], 'ELF', [2, 1, 1, 0], zeros(56)), 'a')).toBeNull();
    expect(sniffFile(bytes([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), 'a')).toBeNull();
  });
});

describe('typedByMagic: when the first bytes are enough', () => {
  const longer = (head: Uint8Array | number[], fill = 0x41): Uint8Array => {
    const b = new Uint8Array(MAGIC_BYTES * 4).fill(fill);
    b.set(head);
    return b;
  };
  const kinds: Array<[name: string, typed: boolean, content: Uint8Array]> = [
    ['a PDF', true, longer(ascii('%PDF-1.7\n'))],
    ['gzip', true, longer([0x1f, 0x8b, 0x08])],
    ['7z', true, longer(ascii('7z\xbc\xaf\x27\x1c'))],
    ['RAR', true, longer(ascii('Rar!\x1a\x07\x00'))],
    ['an OLE document', true, longer(ascii('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'))],
    ['a tar archive', true, longer(tarHeader('notes.txt'))],
    ['an executable', true, longer(ascii('MZ'))],
    ['a zip (its parts name what it is)', false, longer(ascii('PK\x03\x04'))],
    ['text (checked further on)', false, longer(ascii('hello '))],
    ['a PNG (its header gives its size)', false, longer(pngWithSize(10, 10))],
  ];

  it.each(kinds)('%s: typed by its first bytes, %s', (_name, typed, content) => {
    expect(typedByMagic(content.subarray(0, MAGIC_BYTES))).toBe(typed);
    // When it says so, the first bytes type the file exactly as its longer start does.
    if (typed) expect(sniffFile(content.subarray(0, MAGIC_BYTES), 'f.bin', { partial: true })).toEqual(sniffFile(content, 'f.bin'));
  });

  it('never decides on fewer than MAGIC_BYTES', () => {
    expect(typedByMagic(longer(ascii('%PDF-1.7\n')).subarray(0, MAGIC_BYTES - 1))).toBe(false);
  });
});

describe('safeFileName', () => {
  it('keeps only the basename', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\a\\evil.exe')).toBe('evil.exe');
    expect(safeFileName('photos/')).toBe('photos');
    expect(safeFileName('report.pdf')).toBe('report.pdf');
  });

  it('drops leading dots and spaces', () => {
    expect(safeFileName('.htaccess')).toBe('htaccess');
    expect(safeFileName(' . .env.local')).toBe('env.local');
  });

  it('removes bidi overrides, zero-width and control characters', () => {
    expect(safeFileName('\u202Egnp.exe')).toBe('gnp.exe');
    expect(safeFileName('in\u2066voice\u2069\u200b.pdf')).toBe('invoice.pdf');
    expect(safeFileName('a\u0000b\u0007c\u001b\u007f\u0085.txt')).toBe('abc.txt');
  });

  it('collapses whitespace and keeps emoji and other scripts', () => {
    expect(safeFileName('  my   big\tfile\r\n.pdf  ')).toBe('my big file .pdf');
    expect(safeFileName('Résumé 📄.docx')).toBe('Résumé 📄.docx');
  });

  it("returns 'file' when nothing is left", () => {
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('  \u202E ')).toBe('file');
    expect(safeFileName('a/..')).toBe('file');
  });

  it('truncates to 200 characters, keeping the extension and whole code points', () => {
    const long = safeFileName(`${'x'.repeat(300)}.pdf`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('.pdf')).toBe(true);
    expect(long).toBe(`${'x'.repeat(196)}.pdf`);
    const emoji = safeFileName(`${'😀'.repeat(150)}.pdf`);
    expect(emoji.length).toBeLessThanOrEqual(200);
    expect(emoji.endsWith('.pdf')).toBe(true);
    expect(/\p{Cs}/u.test(emoji)).toBe(false);
    expect(safeFileName('y'.repeat(250))).toBe('y'.repeat(200));
  });
});
