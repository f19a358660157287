import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DownloadQuery } from '@confab/protocol';
import Joi from 'joi';
import type Koa from 'koa';
import { koaBody } from 'koa-body';

import { AppError, ValidationError } from '../../errors.js';
import { idSchema } from '../../services/fields.js';
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
  return new AppError('payload_too_large', `Files are limited to ${maxBytes} bytes`, { maxBytes });
}

const downloadParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const downloadQuery = Joi.object<DownloadQuery>({ access_token: Joi.string().max(4096) });

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
  route('GET /v1/uploads/:id', {
    tag,
    summary: 'Download a file',
    description:
      'Members of the room the file was sent in may read it, and its uploader before it is sent; anyone else gets ' +
      '`not_found`. Raster images come inline, anything else as an attachment, under a sandboxing ' +
      'Content-Security-Policy. `<img src>` cannot send headers, so the access token may come as `?access_token=`.',
    params: downloadParams,
    query: downloadQuery,
    tokenInQuery: true,
    handler: async ({ services, actor, input, koa }) => {
      const file = await services.uploads.open(actor, input.params.id);
      koa.type = file.attachment.mime.startsWith('text/') ? `${file.attachment.mime}; charset=utf-8` : file.attachment.mime;
      koa.set('Content-Disposition', `${file.inline ? 'inline' : 'attachment'}; filename="${file.downloadName}"`);
      koa.set('Content-Security-Policy', "default-src 'none'; sandbox");
      koa.set('Cache-Control', 'private, max-age=3600');
      return file.bytes;
    },
  }),
];
