import { type DownloadQuery, LIMITS, type StorageQuotaDto, type UploadLinksInput } from '@confab/protocol';
import Joi from 'joi';

import { UnauthorizedError } from '../../errors.js';
import { idSchema } from '../../services/fields.js';
import { LINK_TTL_SECONDS } from '../../services/uploads/links.js';
import type { StoredFile, Variant } from '../../services/uploads/uploads-service.js';
import { sendStoredFile } from '../download.js';
import { assertOriginAllowedFor } from '../middleware/origin.js';
import { receiveFile } from '../multipart.js';
import { route } from '../route.js';

const tag = 'uploads';

const downloadParams = Joi.object<{ id: string }>({ id: idSchema.required() });
const downloadQuery = Joi.object<DownloadQuery>({
  exp: Joi.number()
    .integer()
    .min(0)
    .max(2 ** 40),
  // base64url of an HMAC-SHA256.
  sig: Joi.string().pattern(/^[A-Za-z0-9_-]{43}$/),
}).and('exp', 'sig');
const quotaBytes = Joi.number().integer().min(0).max(LIMITS.storageQuotaBytesMax).allow(null);
const quotaBody = Joi.object<Partial<StorageQuotaDto>>({ appBytes: quotaBytes, userBytes: quotaBytes }).min(1);
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
      return receiveFile(koa, config.maxUploadBytes, (file) => services.uploads.create(actor, file.stream, file.name, file.declaredBytes));
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
      'end is `range_not_satisfiable` (416, `Content-Range: bytes */<size>`). With object storage and ' +
      '`STORAGE_DOWNLOADS=redirect`, the answer is a 302 to a presigned URL of the object instead.',
    params: downloadParams,
    query: downloadQuery,
    handler: (context) => download(context, 'file'),
  }),
  route('GET /v1/uploads/:id/thumbnail', {
    tag,
    summary: "An image's thumbnail",
    description:
      `A smaller copy of an uploaded image (WebP, at most ${LIMITS.thumbnailSide} pixels a side), for previews; read ` +
      'as the file is (the same token or the same signed link), with the same caching and ranges. Files that are not ' +
      'images have none (`not_found`).',
    params: downloadParams,
    query: downloadQuery,
    handler: (context) => download(context, 'thumbnail'),
  }),
  route('GET /v1/storage/usage', {
    tag,
    summary: 'Storage used, against the quotas',
    description:
      "The caller's own use and the per-user quota; the app's admins also get the app's total, its quota and the " +
      `${LIMITS.storageTopUsers} largest uploaders. Quotas are set with \`PUT /v1/storage/quota\` (or the operator's app settings).`,
    handler: async ({ services, actor }) => services.uploads.usage(actor),
  }),
  route('PUT /v1/storage/quota', {
    tag,
    summary: 'Set the storage quotas (admins)',
    description:
      'Bytes all files of the app may take together (`appBytes`) and the files of one person (`userBytes`); null is ' +
      'unlimited, a field left out stays. An upload that would cross one is refused with `payload_too_large`, ' +
      '`details` `{ scope, usedBytes, limitBytes, fileBytes }`. Files already stored stay.',
    body: quotaBody,
    handler: async ({ services, actor, input }) => services.uploads.setQuota(actor, input.body),
  }),
];

type DownloadContext = Parameters<Parameters<typeof route<'GET /v1/uploads/:id'>>[1]['handler']>[0];

/** Presigned object URLs live this long at most: a redirect is followed at once. */
const PRESIGN_SECONDS = 300;

async function download({ services, actor, input, koa, status, config }: DownloadContext, variant: Variant) {
  const { id } = input.params;
  const { exp, sig } = input.query;
  let file: StoredFile;
  let maxAge = 3600;
  if (actor) {
    file = await services.uploads.open(actor, id, variant);
  } else {
    if (exp === undefined || sig === undefined) {
      throw new UnauthorizedError('Send the access token in the Authorization header, or use a link from POST /v1/uploads/links');
    }
    file = await services.uploads.openLinked(id, { exp, sig }, variant);
    assertOriginAllowedFor(koa, file.attachment.appId);
    // A copy is kept no longer than the link works.
    maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
  }
  const type = file.mime.startsWith('text/') ? `${file.mime}; charset=utf-8` : file.mime;
  const disposition = `${file.inline ? 'inline' : 'attachment'}; filename="${file.downloadName}"`;
  if (config.storageDownloads === 'redirect' && file.presign) {
    const url = await file.presign({ expiresInSeconds: PRESIGN_SECONDS, contentType: type, contentDisposition: disposition });
    koa.set('Location', url);
    koa.set('Cache-Control', 'private, no-store');
    status(302);
    return Buffer.alloc(0);
  }
  koa.type = type;
  koa.set('Content-Disposition', disposition);
  koa.set('Content-Security-Policy', "default-src 'none'; sandbox");
  koa.set('Cache-Control', `private, max-age=${maxAge}`);
  return sendStoredFile(koa, file, status);
}
