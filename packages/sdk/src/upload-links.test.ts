import type { UploadLinksDto } from '@confab/protocol';
import { describe, expect, it } from 'vitest';

import { ChatError } from './errors.js';
import { UploadLinks } from './upload-links.js';

/**
 * A server that signs every id it is asked for except `hidden` ones, for `ttl` seconds; records each request.
 * Ids starting with `img` have a thumbnail; `thumbnails: 'absent'` leaves the field out, as a server before thumbnails.
 */
function fakeServer(options: { ttl?: number; hidden?: string[]; fail?: () => Error | null; thumbnails?: 'absent' } = {}) {
  const requests: string[][] = [];
  let version = 0;
  const request = async (ids: string[]): Promise<UploadLinksDto> => {
    requests.push(ids);
    await Promise.resolve();
    const error = options.fail?.();
    if (error) throw error;
    version += 1;
    const expiresIn = options.ttl ?? 600;
    return {
      items: ids
        .filter((id) => !options.hidden?.includes(id))
        .map((id) => ({
          id,
          url: `/v1/uploads/${id}?v=${version}`,
          ...(options.thumbnails === 'absent'
            ? {}
            : { thumbnailUrl: id.startsWith('img') ? `/v1/uploads/${id}/thumbnail?v=${version}` : null }),
          expiresAt: '2030-01-01T00:00:00.000Z',
          expiresIn,
        })) as UploadLinksDto['items'],
    };
  };
  return { requests, request };
}

const absolute = (path: string) => `https://chat.test${path}`;

describe('UploadLinks', () => {
  it('sends the asks of one tick as one request, each id once, and answers each with its absolute URL', async () => {
    const server = fakeServer();
    const links = new UploadLinks(server.request, absolute);
    const urls = await Promise.all([links.src('a'), links.src('b'), links.src('a'), links.src('c')]);
    expect(server.requests).toEqual([['a', 'b', 'c']]);
    expect(urls).toEqual([
      'https://chat.test/v1/uploads/a?v=1',
      'https://chat.test/v1/uploads/b?v=1',
      'https://chat.test/v1/uploads/a?v=1',
      'https://chat.test/v1/uploads/c?v=1',
    ]);
  });

  it('reuses a URL until shortly before it expires, then asks again', async () => {
    let now = 1_000_000;
    const server = fakeServer({ ttl: 600 });
    const links = new UploadLinks(server.request, absolute, () => now);
    const first = await links.src('a');
    now += 8 * 60_000;
    expect(await links.src('a')).toBe(first);
    expect(server.requests).toHaveLength(1);
    // Less than a minute left: a fresh one.
    now += 90_000;
    const fresh = await links.src('a');
    expect(fresh).not.toBe(first);
    expect(server.requests).toEqual([['a'], ['a']]);
  });

  it("rejects with not_found for a file the server left out, and the others' asks still succeed", async () => {
    const server = fakeServer({ hidden: ['secret'] });
    const links = new UploadLinks(server.request, absolute);
    const [ok, refused] = await Promise.allSettled([links.src('mine'), links.src('secret')]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'https://chat.test/v1/uploads/mine?v=1' });
    expect(refused.status).toBe('rejected');
    const reason = (refused as PromiseRejectedResult).reason as unknown;
    expect(reason).toBeInstanceOf(ChatError);
    expect(reason).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('passes a failed request on to every ask in it, caches nothing, and asks again next time', async () => {
    let failing = true;
    const server = fakeServer({ fail: () => (failing ? new ChatError('unavailable', 'down', 0) : null) });
    const links = new UploadLinks(server.request, absolute);
    const results = await Promise.allSettled([links.src('a'), links.src('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    failing = false;
    expect(await links.src('a')).toBe('https://chat.test/v1/uploads/a?v=1');
    expect(server.requests).toEqual([['a', 'b'], ['a']]);
  });

  it('splits more ids than one request may carry into several requests', async () => {
    const server = fakeServer();
    const links = new UploadLinks(server.request, absolute);
    const ids = Array.from({ length: 250 }, (_, i) => `f${i}`);
    const urls = await Promise.all(ids.map((id) => links.src(id)));
    expect(server.requests.map((r) => r.length)).toEqual([100, 100, 50]);
    expect(urls[249]).toBe('https://chat.test/v1/uploads/f249?v=3');
  });

  it('forgets every URL on clear (another user signed in), so the next ask goes to the server', async () => {
    const server = fakeServer();
    const links = new UploadLinks(server.request, absolute);
    await links.src('a');
    links.clear();
    await links.src('a');
    expect(server.requests).toEqual([['a'], ['a']]);
  });

  it("answers an image's thumbnail URL from the same request and cache as its full URL", async () => {
    const server = fakeServer();
    const links = new UploadLinks(server.request, absolute);
    const [thumb, full, link] = await Promise.all([links.thumbnailSrc('img1'), links.src('img1'), links.link('img1')]);
    expect(thumb).toBe('https://chat.test/v1/uploads/img1/thumbnail?v=1');
    expect(full).toBe('https://chat.test/v1/uploads/img1?v=1');
    expect(link).toEqual({ url: full, thumbnailUrl: thumb });
    expect(await links.thumbnailSrc('img1')).toBe(thumb);
    expect(server.requests).toEqual([['img1']]);
  });

  it('answers the full URL as the thumbnail of a file without one, and when the server leaves the field out', async () => {
    const server = fakeServer();
    const links = new UploadLinks(server.request, absolute);
    expect(await links.thumbnailSrc('doc')).toBe('https://chat.test/v1/uploads/doc?v=1');
    const older = new UploadLinks(fakeServer({ thumbnails: 'absent' }).request, absolute);
    expect(await older.thumbnailSrc('img2')).toBe('https://chat.test/v1/uploads/img2?v=1');
  });

  it('rejects a thumbnail ask with not_found for a file the server left out', async () => {
    const links = new UploadLinks(fakeServer({ hidden: ['img-secret'] }).request, absolute);
    await expect(links.thumbnailSrc('img-secret')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });
});
