import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../config.js';
import type { Db } from '../../db/knex.js';
import { createStorage, parseStorageUrl, StorageUrlError } from './storage-url.js';

function rejection(text: string): string {
  try {
    parseStorageUrl(text);
  } catch (err) {
    expect(err).toBeInstanceOf(StorageUrlError);
    const { message } = err as Error;
    expect(message).toMatch(/^STORAGE_URL /);
    expect(message).not.toMatch(/[\r\n]/);
    return message;
  }
  throw new Error(`parseStorageUrl accepted ${text}`);
}

describe('parseStorageUrl: s3', () => {
  it('reads a bare bucket as AWS: no endpoint, no prefix, virtual-host style, the region left to the SDK', () => {
    expect(parseStorageUrl('s3://confab-uploads')).toEqual({
      kind: 's3',
      bucket: 'confab-uploads',
      prefix: '',
      endpoint: null,
      region: null,
      forcePathStyle: false,
    });
  });

  it('reads a prefix, an endpoint (path style by default) and a region', () => {
    expect(parseStorageUrl('s3://files.example/confab/prod/?endpoint=http://minio:9000/&region=eu-west-1')).toEqual({
      kind: 's3',
      bucket: 'files.example',
      prefix: 'confab/prod',
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
  });

  it('takes forcePathStyle both ways, whatever the endpoint', () => {
    expect(parseStorageUrl('s3://bkt?endpoint=https://r2.example.com&forcePathStyle=false')).toMatchObject({ forcePathStyle: false });
    expect(parseStorageUrl('s3://bkt?forcePathStyle=true')).toMatchObject({ forcePathStyle: true, endpoint: null });
  });

  it('decodes an escaped prefix', () => {
    expect(parseStorageUrl('s3://bkt/team%20a/files')).toMatchObject({ prefix: 'team a/files' });
  });

  it.each([
    ['s3://', /no bucket/],
    ['s3:///prefix', /no bucket/],
    ['s3:bucket', /must start with s3:\/\//],
    ['s3://Upper-Case', /invalid bucket name "Upper-Case"/],
    ['s3://ab', /invalid bucket name/],
    ['s3://bad_bucket', /invalid bucket name/],
    ['s3://bkt:9000', /port/],
    ['s3://bkt#x', /fragment/],
    ['s3://bkt/a//b', /invalid prefix/],
    ['s3://bkt/a/../b', /invalid prefix/],
    ['s3://bkt/%E0%A4%A', /badly escaped prefix/],
    ['s3://bkt?endpoint=minio:9000', /endpoint that is not http/],
    ['s3://bkt?endpoint=not a url', /endpoint that is not a URL/],
    ['s3://bkt?endpoint=', /endpoint that is not a URL/],
    ['s3://bkt?endpoint=ftp://host', /endpoint that is not http/],
    ['s3://bkt?endpoint=http://host/?x=1', /endpoint with a query/],
    ['s3://bkt?region=EU%20WEST', /invalid region/],
    ['s3://bkt?forcePathStyle=yes', /forcePathStyle=yes: it must be true or false/],
    ['s3://bkt?bucket=other', /unknown parameter "bucket" \(known: endpoint, region, forcePathStyle\)/],
    ['s3://bkt?region=a&region=b', /parameter "region" twice/],
  ])('refuses %s with a message saying what is wrong', (text, reason) => {
    const message = rejection(text);
    expect(message).toMatch(reason);
    expect(message).toContain('expected s3://bucket');
  });

  it('refuses credentials in the URL without repeating them', () => {
    for (const text of ['s3://AKIAEXAMPLE:hunter2secret@bkt', 's3://bkt?endpoint=http://user:hunter2secret@minio:9000']) {
      const message = rejection(text);
      expect(message).toContain('AWS_ACCESS_KEY_ID');
      expect(message).not.toContain('hunter2secret');
    }
  });
});

describe('parseStorageUrl: file and others', () => {
  it('reads an absolute directory, without a trailing slash', () => {
    expect(parseStorageUrl('file:///var/lib/confab/uploads/')).toEqual({ kind: 'file', path: '/var/lib/confab/uploads' });
    expect(parseStorageUrl('file:///srv/my%20files')).toEqual({ kind: 'file', path: '/srv/my files' });
  });

  it.each([
    ['file://relative/path', /file:\/\/\/ followed by an absolute path/],
    ['file:./uploads', /file:\/\/\/ followed by an absolute path/],
    ['file:///', /other than \//],
    ['file:///srv/../etc', /without \. or \.\. segments/],
    ['file:///srv/%2e%2e/etc', /without \. or \.\. segments/],
    ['file:///srv/uploads?mode=0700', /query/],
    ['https://bucket.s3.amazonaws.com', /unsupported scheme "https:"/],
    ['gs://bucket', /unsupported scheme "gs:"/],
    ['/var/lib/confab', /is not a URL/],
    ['uploads', /is not a URL/],
  ])('refuses %s', (text, reason) => {
    expect(rejection(text)).toMatch(reason);
  });
});

describe('STORAGE_URL and STORAGE_DOWNLOADS in loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'confab-storage-url-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (vars: Record<string, string>) => loadConfig({ DATA_DIR: dir, ...vars });
  const configError = (vars: Record<string, string>): string => {
    try {
      load(vars);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(vars)}`);
  };

  it('defaults to no STORAGE_URL and streamed downloads', () => {
    expect(load({})).toMatchObject({ storageUrl: null, storageDownloads: 'stream' });
  });

  it('keeps a valid STORAGE_URL and allows redirected downloads with s3', () => {
    expect(load({ STORAGE_URL: 's3://bkt/p?endpoint=http://127.0.0.1:9000', STORAGE_DOWNLOADS: 'Redirect' })).toMatchObject({
      storageUrl: 's3://bkt/p?endpoint=http://127.0.0.1:9000',
      storageDownloads: 'redirect',
    });
  });

  it('fails at boot on an invalid STORAGE_URL with the parser’s message', () => {
    expect(configError({ STORAGE_URL: 's3://bkt?colour=blue' })).toMatch(
      /^Invalid configuration: STORAGE_URL has an unknown parameter "colour"/,
    );
  });

  it('refuses STORAGE_DOWNLOADS=redirect without s3, and unknown values', () => {
    expect(configError({ STORAGE_DOWNLOADS: 'redirect' })).toMatch(/STORAGE_DOWNLOADS=redirect needs an s3:\/\/ STORAGE_URL/);
    expect(configError({ STORAGE_DOWNLOADS: 'redirect', STORAGE_URL: 'file:///srv/uploads' })).toMatch(/needs an s3:\/\//);
    expect(configError({ STORAGE_DOWNLOADS: 'proxy' })).toMatch(/STORAGE_DOWNLOADS must be stream or redirect, got proxy/);
  });
});

describe('createStorage', () => {
  // Storages only keep the handle until they are used.
  const db = {} as Db;
  const base = { databaseUrl: null, dataDir: '/srv/confab' };

  it('picks S3 or a directory from STORAGE_URL, else PostgreSQL with DATABASE_URL, else DATA_DIR/uploads', () => {
    expect(createStorage({ ...base, storageUrl: 's3://bkt?endpoint=http://127.0.0.1:9000' }, db).kind).toBe('s3');
    expect(createStorage({ ...base, storageUrl: 'file:///srv/uploads', databaseUrl: 'postgres://x/y' }, db).kind).toBe('disk');
    expect(createStorage({ ...base, storageUrl: null, databaseUrl: 'postgres://x/y' }, db).kind).toBe('database');
    expect(createStorage({ ...base, storageUrl: null }, db).kind).toBe('disk');
    expect(typeof createStorage({ ...base, storageUrl: 's3://bkt' }, db).presign).toBe('function');
  });
});
