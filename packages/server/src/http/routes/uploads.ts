import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type DownloadQuery, LIMITS, type UploadLinksInput } from '@confab/protocol';
import Joi from 'joi';
import type Koa from 'koa';
import { koaBody } from 'koa-body';

import { AppError, UnauthorizedError, ValidationError } from '../../errors.js';
import { idSchema } from '../../services/fields.js';
import { LINK_TTL_SECONDS } from '../../services/uploads/links.js';
import type { StoredFile } from '../../services/uploads/uploads-service.js';
import { sendStoredFile } from '../download.js';
import { assertOriginAllowedFor } from '../middleware/origin.js';
import { route } from '../route.js';

const tag = 'uploads';
// Room for the multipart envelope around the file.
const ENVELOPE_BYTES = 64 * 1024;
// formidable's error code for more files than `maxFiles`.
const MAX_FILES_EXCEEDED = 1015;

interface ParsedFile {
  filepath: string;
  originalFilename: string | null;
  size: number;
}

/**
 * Reads the one file of a multipart body (after the caller was authenticated), within `maxBytes`.
 * Formidable writes files to disk as they arrive and can leave some behind when the body is cut
 * short or refused (a file whose open was still pending when it gave up); each upload therefore
 * gets its own temp directory, removed whole whatever happened.
 */
async function readUpload(ctx: Koa.Context, maxBytes: number): Promise<{ bytes: Buffer; name: string }> {
  if (!ctx.is('multipart/form-data')) throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data');
  if (ctx.request.length > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
  const dir = await mkdtemp(join(tmpdir(), 'confab-upload-'));
  try {
    await koaBody({
      multipart: true,
      json: false,
      urlencoded: false,
      text: false,
      formidable: {
        uploadDir: dir,
        maxFiles: 1,
        maxFileSize: maxBytes,
        maxTotalFileSize: maxBytes,
        maxFields: 10,
        maxFieldsSize: 16 * 1024,
        allowEmptyFiles: false,
        minFileSize: 1,
      },
      onError: (err: Error & { httpCode?: number; code?: unknown }) => {
        if (err.code === MAX_FILES_EXCEEDED) throw oneFileOnly();
        if (err.httpCode === 413) throw tooLarge(maxBytes);
        throw new AppError('bad_request', `The upload could not be read: ${err.message}`);
      },
    })(ctx, async () => undefined);
    const files = Object.values(ctx.request.files ?? {}).flat() as unknown as ParsedFile[];
    const [file] = files;
    if (files.length !== 1 || !file) throw oneFileOnly();
    return { bytes: await readFile(file.filepath), name: file.originalFilename ?? 'file' };
  } finally {
    // Retries cover a file formidable was still creating when it gave up.
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

function oneFileOnly(): ValidationError {
  return new ValidationError('Send exactly one file, in the field "file"', [{ path: 'body.file', message: 'file is required' }]);
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `Files are limited to ${humanBytes(maxBytes)}`, { maxBytes });
}

/** "25 MB", "900 KB", "1.5 GB": 1024-based, as file managers (and the widget) show sizes. */
export function humanBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = unit === 0 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}

const downloadParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const downloadQuery = Joi.object<DownloadQuery>({
  exp: Joi.number()
    .integer()
    .min(0)
    .max(2 ** 40),
  // base64url of an HMAC-SHA256.
  sig: Joi.string().pattern(/^[A-Za-z0-9_-]{43}$/),
}).and('exp', 'sig');
const linksBody = Joi.object<UploadLinksInput>({
  ids: Joi.array().items(idSchema.required()).min(1).max(LIMITS.uploadLinksMax).required(),
});

export const uploadRoutes = [
  route('POST /v1/uploads', {
    tag,
    summary: 'Upload a file (field `file`); send its id with a message',
    description:
      'A `multipart/form-data` body with exactly one file in the field `file`, at most `MAX_UPLOAD_BYTES` ' +
      '(`payload_too_large`). Its type is read from its content, not from its name or the header; images get their ' +
      'width and height. The answer is the attachment: put its `id` in `attachments` of a message (within a day, or it ' +
      'is cleaned up). Throttled per user (`rate_limited`).',
    handler: async ({ services, actor, config, koa }) => {
      const { bytes, name } = await readUpload(koa, config.maxUploadBytes);
      return services.uploads.create(actor, bytes, name);
    },
  }),
  route('POST /v1/uploads/links', {
    tag,
    summary: 'Short-lived links to files, for `<img src>` and download links',
    description:
      `Up to ${LIMITS.uploadLinksMax} file ids; each file the caller may read (as for a download) gets a URL ` +
      `\`/v1/uploads/:id?exp=&sig=\` that loads it without headers for ${LINK_TTL_SECONDS / 60} minutes. Files the ` +
      "caller may not read, or that do not exist, are left out (another app's files among them). The access token " +
      'never goes in a URL.',
    body: linksBody,
    handler: async ({ services, actor, input }) => services.uploads.links(actor, input.body.ids),
  }),
  route('GET /v1/uploads/:id', {
    tag,
    summary: 'Download a file',
    description:
      'With the access token in the `Authorization` header: members of the room the file was sent in may read it, ' +
      'and its uploader before it is sent; anyone else gets `not_found`. Without headers (`<img src>`), with the ' +
      '`exp` and `sig` of a link from `POST /v1/uploads/links`: an expired link is `token_expired` (ask for a new ' +
      'one), one tampered with or made for another file `forbidden`. Raster images come inline, anything else as an ' +
      'attachment, under a sandboxing Content-Security-Policy. Streamed from storage, with `ETag` and ' +
      '`Last-Modified` (`If-None-Match` / `If-Modified-Since` answer 304), and one `Range` (`bytes=a-b`, `a-` or ' +
      '`-n`) answered 206 with `Content-Range`, honoured only while `If-Range` names this file; a range past the ' +
      'end is `range_not_satisfiable` (416, `Content-Range: bytes */<size>`).',
    params: downloadParams,
    query: downloadQuery,
    handler: async ({ services, actor, input, koa, status }) => {
      const { id } = input.params;
      const { exp, sig } = input.query;
      let file: StoredFile;
      let maxAge = 3600;
      if (actor) {
        file = await services.uploads.open(actor, id);
      } else {
        if (exp === undefined || sig === undefined) {
          throw new UnauthorizedError('Send the access token in the Authorization header, or use a link from POST /v1/uploads/links');
        }
        file = await services.uploads.openLinked(id, { exp, sig });
        assertOriginAllowedFor(koa, file.attachment.appId);
        // A copy is kept no longer than the link works.
        maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
      }
      koa.type = file.attachment.mime.startsWith('text/') ? `${file.attachment.mime}; charset=utf-8` : file.attachment.mime;
      koa.set('Content-Disposition', `${file.inline ? 'inline' : 'attachment'}; filename="${file.downloadName}"`);
      koa.set('Content-Security-Policy', "default-src 'none'; sandbox");
      koa.set('Cache-Control', `private, max-age=${maxAge}`);
      return sendStoredFile(koa, file, status);
    },
  }),
];
