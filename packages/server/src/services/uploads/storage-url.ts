import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Config } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { createS3Storage } from './s3-storage.js';
import { createDatabaseStorage, createDiskStorage, type UploadStorage } from './storage.js';

/** Where `STORAGE_URL` puts upload bytes (docs/uploads.md, "Where bytes live"). */
export type StorageLocation =
  | {
      kind: 's3';
      bucket: string;
      /** Put before every key, without slashes at either end; '' for none. */
      prefix: string;
      /** An S3-compatible service (MinIO, R2, Ceph...); null for AWS itself. */
      endpoint: string | null;
      /** null: the SDK's own (AWS_REGION), or us-east-1 with a custom endpoint. */
      region: string | null;
      forcePathStyle: boolean;
    }
  | { kind: 'file'; path: string };

export class StorageUrlError extends Error {
  override name = 'StorageUrlError';
}

export const STORAGE_URL_FORMS = 's3://bucket[/prefix][?endpoint=URL&region=NAME&forcePathStyle=true|false] or file:///absolute/path';

const S3_PARAMS = ['endpoint', 'region', 'forcePathStyle'];
// S3's own rule for bucket names (MinIO, R2 and Ceph follow it).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,64}$/;

const fail = (message: string): never => {
  throw new StorageUrlError(`STORAGE_URL ${message}; expected ${STORAGE_URL_FORMS}`);
};

/**
 * Parses and checks `STORAGE_URL`. Error messages never repeat the URL whole: a mistaken
 * `user:secret@` in it must not reach the log.
 */
export function parseStorageUrl(text: string): StorageLocation {
  const value = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 's3') return parseS3(value);
  if (scheme === 'file') return parseFile(value);
  return fail(scheme ? `has an unsupported scheme "${scheme}:"` : 'is not a URL');
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    return fail('is not a valid URL');
  }
}

function parseS3(value: string): StorageLocation {
  if (!/^s3:\/\//i.test(value)) fail('must start with s3:// followed by the bucket');
  const url = parseUrl(value);
  if (url.username || url.password) fail('must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (url.port) fail('must not have a port: put the service in ?endpoint=');
  if (url.hash) fail('must not have a #fragment');
  const bucket = url.hostname;
  if (!bucket) fail('has no bucket');
  if (!BUCKET.test(bucket)) fail(`has an invalid bucket name "${bucket}" (3 to 63 lowercase letters, digits, dots and hyphens)`);
  // From the text as written: URL parsing folds `..` away silently.
  const rawPath = /^s3:\/\/[^/?#]*([^?#]*)/i.exec(value)?.[1] ?? '';
  const prefix = parsePrefix(rawPath);

  const params = new Map<string, string>();
  for (const [name, param] of url.searchParams) {
    if (!S3_PARAMS.includes(name)) fail(`has an unknown parameter "${name}" (known: ${S3_PARAMS.join(', ')})`);
    if (params.has(name)) fail(`has the parameter "${name}" twice`);
    params.set(name, param);
  }
  const endpoint = params.has('endpoint') ? parseEndpoint(params.get('endpoint') ?? '') : null;
  const region = params.get('region') ?? null;
  if (region !== null && !REGION.test(region)) fail(`has an invalid region "${region}"`);
  const pathStyle = params.get('forcePathStyle');
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') {
    fail(`has forcePathStyle=${pathStyle}: it must be true or false`);
  }
  // Self-hosted services seldom have a DNS name per bucket; AWS prefers one.
  const forcePathStyle = pathStyle === undefined ? endpoint !== null : pathStyle === 'true';
  return { kind: 's3', bucket, prefix, endpoint, region, forcePathStyle };
}

function parsePrefix(pathname: string): string {
  const trimmed = pathname.replace(/^\/+|\/+$/g, '');
  if (!trimmed) return '';
  const segments = trimmed.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return fail('has a badly escaped prefix');
    }
    if (!decoded || decoded === '.' || decoded === '..' || /[\\]/.test(decoded) || [...decoded].some((c) => c.charCodeAt(0) < 0x20)) {
      fail('has an invalid prefix (empty, "." or ".." segments, control characters or backslashes)');
    }
    return decoded;
  });
  return segments.join('/');
}

function parseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('has an endpoint that is not a URL (e.g. endpoint=http://minio:9000)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('has an endpoint that is not http:// or https://');
  if (url.username || url.password) fail('has credentials in its endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  if (url.search || url.hash) fail('has an endpoint with a query or #fragment');
  return url.href.replace(/\/+$/, '');
}

function parseFile(value: string): StorageLocation {
  if (!/^file:\/\/\//i.test(value)) fail('must be file:/// followed by an absolute path (file:///var/lib/confab/uploads)');
  const url = parseUrl(value);
  if (url.search || url.hash) fail('must not have a query or #fragment after a file path');
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return fail('has an invalid file path');
  }
  // Checked on the text as written: URL parsing folds `..` away silently.
  if (path === '/' || /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(value.slice('file://'.length)))
    fail('must name a directory other than / without . or .. segments');
  return { kind: 'file', path: path.replace(/\/+$/, '') };
}

/**
 * The storage `config` asks for: `STORAGE_URL`; unset, PostgreSQL itself when there is one
 * (small deployments: every node shares it) or the embedded server's DATA_DIR/uploads.
 */
export function createStorage(config: Pick<Config, 'storageUrl' | 'databaseUrl' | 'dataDir'>, db: Db): UploadStorage {
  if (config.storageUrl) {
    const location = parseStorageUrl(config.storageUrl);
    if (location.kind === 's3') return createS3Storage(location);
    return createDiskStorage(location.path);
  }
  return config.databaseUrl ? createDatabaseStorage(db) : createDiskStorage(join(config.dataDir, 'uploads'));
}
