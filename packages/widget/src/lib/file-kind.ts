import { svg, type SVGTemplateResult } from 'lit';

import { strokeIcon } from './icons.js';

export type FileKind = 'pdf' | 'image' | 'audio' | 'video' | 'archive' | 'spreadsheet' | 'document' | 'file';

const BY_TYPE: Record<string, FileKind> = {
  'application/pdf': 'pdf',
  'application/zip': 'archive',
  'application/gzip': 'archive',
  'application/x-tar': 'archive',
  'application/vnd.rar': 'archive',
  'application/x-7z-compressed': 'archive',
  'application/msword': 'document',
  'application/rtf': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.oasis.opendocument.text': 'document',
  'application/vnd.ms-powerpoint': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
  'application/vnd.oasis.opendocument.presentation': 'document',
  'application/vnd.ms-excel': 'spreadsheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet': 'spreadsheet',
  'text/csv': 'spreadsheet',
};

const BY_EXTENSION: Record<string, FileKind> = {
  pdf: 'pdf',
  zip: 'archive',
  gz: 'archive',
  tgz: 'archive',
  tar: 'archive',
  rar: 'archive',
  '7z': 'archive',
  doc: 'document',
  docx: 'document',
  odt: 'document',
  rtf: 'document',
  txt: 'document',
  md: 'document',
  ppt: 'document',
  pptx: 'document',
  odp: 'document',
  xls: 'spreadsheet',
  xlsx: 'spreadsheet',
  ods: 'spreadsheet',
  csv: 'spreadsheet',
};

/** What a file is, for its icon: from its type (sniffed by the server), else from its name's extension. */
export function fileKind(type: string, name = ''): FileKind {
  const mime = type.toLowerCase().split(';')[0]!.trim();
  const known = BY_TYPE[mime];
  if (known) return known;
  const family = mime.split('/')[0];
  if (family === 'image' || family === 'audio' || family === 'video') return family;
  if (family === 'text') return 'document';
  return BY_EXTENSION[fileExtension(name).toLowerCase()] ?? 'file';
}

/** "PDF" for "invoice.pdf"; empty when the name has no short extension. */
export function fileExtension(name: string): string {
  const match = /\.([a-z0-9]{1,5})$/i.exec(name);
  return match ? match[1]!.toUpperCase() : '';
}

// 24×24 outline glyphs drawn on a page with a folded corner; each kind adds its own mark.
const page = svg`<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" /><path d="M14 3v5h5" />`;
const MARKS: Record<FileKind, SVGTemplateResult> = {
  pdf: svg`<path d="M7.8 17v-4H9a1.2 1.2 0 0 1 0 2.4H7.8M11.2 13v4h.7a2 2 0 0 0 0-4zM16.6 13H15v4M15 15h1.2" />`,
  image: svg`<circle cx="10" cy="12" r="1.3" /><path d="m7 18 3.5-3.5 2 2 2-2L17 17" />`,
  audio: svg`<path d="M11 17.5V11l5-1.2v6.2" /><circle cx="9.6" cy="17.5" r="1.4" /><circle cx="14.6" cy="16" r="1.4" />`,
  video: svg`<path d="m10 11.5 5 3-5 3z" />`,
  archive: svg`<path d="M11 5v1.5M11 8.5V10M11 12v1.5" /><rect x="10" y="15" width="3" height="3" rx=".5" />`,
  spreadsheet: svg`<path d="M8 11h8v7H8zM8 14.5h8M12 11v7" />`,
  document: svg`<path d="M8.5 12h7M8.5 15h7M8.5 18h4" />`,
  file: svg``,
};

/** A small outline icon for a kind of file (decorative: the name says what it is). */
export function fileIcon(kind: FileKind) {
  return strokeIcon(svg`${page}${MARKS[kind]}`, 24, { width: 1.5, cls: `file-icon ${kind}` });
}
