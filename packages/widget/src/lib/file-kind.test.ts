import { describe, expect, it } from 'vitest';

import { fileExtension, fileKind } from './file-kind.js';

describe('fileKind', () => {
  it.each([
    ['application/pdf', 'a.bin', 'pdf'],
    ['image/png', 'a', 'image'],
    ['audio/mpeg', 'a', 'audio'],
    ['video/mp4', 'a', 'video'],
    ['application/zip', 'a', 'archive'],
    ['application/x-7z-compressed', 'a', 'archive'],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'a', 'spreadsheet'],
    ['text/csv', 'a', 'spreadsheet'],
    ['application/msword', 'a', 'document'],
    ['text/plain; charset=utf-8', 'a', 'document'],
  ])('reads %s as %s… by its type', (type, name, kind) => {
    expect(fileKind(type, name)).toBe(kind);
  });

  it('falls back to the extension when the type says nothing, and to a plain file', () => {
    expect(fileKind('application/octet-stream', 'Report.XLSX')).toBe('spreadsheet');
    expect(fileKind('', 'backup.tar')).toBe('archive');
    expect(fileKind('application/octet-stream', 'data.bin')).toBe('file');
    expect(fileKind('', 'no-extension')).toBe('file');
  });
});

describe('fileExtension', () => {
  it('gives a short extension in capitals, or nothing', () => {
    expect(fileExtension('invoice.pdf')).toBe('PDF');
    expect(fileExtension('archive.tar.gz')).toBe('GZ');
    expect(fileExtension('README')).toBe('');
    expect(fileExtension('odd.extension-too-long')).toBe('');
  });
});
