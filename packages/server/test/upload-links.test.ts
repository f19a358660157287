import type { AttachmentDto, AuthSessionDto, MessageDto, RoomDto, StartConversationResult, UploadLinksDto } from '@confab/protocol';
import { type ChatClient, ChatError, createClient } from '@confab/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { LINK_TTL_SECONDS, LinkSigner } from '../src/services/uploads/links.js';
import { humanBytes } from '../src/services/uploads/sizes.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';

// A real 1x1 RGBA PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** Images are served as re-encoded without metadata: a PNG comes back a PNG, not the same bytes. */
const isPng = (bytes: Buffer) => bytes.length > 8 && bytes.subarray(0, 8).equals(PNG.subarray(0, 8));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
const ORIGIN = 'https://shop.example';
const ELSEWHERE = 'https://elsewhere.example';

let server: TestServer;
let tenant: App;
let otherTenant: App;
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  [tenant, otherTenant] = await Promise.all([server.createTenant([ORIGIN]), server.createTenant()]);
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(() => server?.close());

async function upload(session: AuthSessionDto, bytes: Buffer, name: string): Promise<AttachmentDto> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${server.url}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as AttachmentDto;
}

async function roomWith(owner: AuthSessionDto, members: AuthSessionDto[]): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', {
    token: owner.accessToken,
    body: { kind: 'group', name: 'Files', memberIds: members.map((m) => m.user.id) },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function send(session: AuthSessionDto, roomId: string, attachments: string[]): Promise<MessageDto> {
  const res = await server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
    token: session.accessToken,
    body: { clientId: crypto.randomUUID(), text: '', attachments },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function links(session: AuthSessionDto, ids: string[], headers: Record<string, string> = {}): Promise<ApiResponse<UploadLinksDto>> {
  return server.request<UploadLinksDto>('POST', '/v1/uploads/links', { token: session.accessToken, body: { ids }, headers });
}

async function linkOf(session: AuthSessionDto, id: string): Promise<string> {
  const res = await links(session, [id]);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.items.map((i) => i.id)).toEqual([id]);
  return res.body.items[0]!.url;
}

/** GET without any header, as `<img src>` does. */
async function load(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json: unknown = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(bytes.toString('utf8')) : null;
  return { status: res.status, headers: res.headers, bytes, code: replyError(json)?.code ?? null, json };
}

/** The link's path with its query replaced by `exp` and `sig`. */
function withLink(path: string, exp: number | string, sig: string): string {
  return `${path.split('?')[0]}?exp=${exp}&sig=${sig}`;
}

function parts(url: string): { path: string; exp: number; sig: string } {
  const parsed = new URL(url, 'http://x');
  return { path: parsed.pathname, exp: Number(parsed.searchParams.get('exp')), sig: parsed.searchParams.get('sig') ?? '' };
}

describe('POST /v1/uploads/links', () => {
  it('signs one link per readable file, in the order asked, that loads without a token for ten minutes', async () => {
    const [ana, bob] = await Promise.all([server.member(tenant), server.member(tenant)]);
    const room = await roomWith(ana, [bob]);
    const [image, pdf] = await Promise.all([upload(ana, PNG, 'pixel.png'), upload(ana, PDF, 'invoice.pdf')]);
    await send(ana, room.id, [image.id, pdf.id]);

    const before = Math.floor(Date.now() / 1000);
    const res = await links(bob, [pdf.id, image.id, crypto.randomUUID(), pdf.id.toUpperCase()]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Each file once, in the order asked; the id that names nothing is left out.
    expect(res.body.items.map((i) => i.id)).toEqual([pdf.id, image.id]);
    for (const item of res.body.items) {
      const { path, exp, sig } = parts(item.url);
      expect(path).toBe(`/v1/uploads/${item.id}`);
      expect(exp - before).toBeGreaterThanOrEqual(LINK_TTL_SECONDS - 1);
      expect(exp - before).toBeLessThanOrEqual(LINK_TTL_SECONDS + 1);
      expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(item.expiresAt)).toBe(exp * 1000);
      expect(item.expiresIn).toBeGreaterThan(LINK_TTL_SECONDS - 2);
      expect(item.url).not.toContain(bob.accessToken);
    }

    const got = await load(res.body.items[1]!.url);
    expect(got.status).toBe(200);
    expect(isPng(got.bytes)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toBe(`inline; filename="confab-${image.id.slice(0, 8)}.png"`);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    // Cached no longer than the link works.
    const maxAge = Number(/max-age=(\d+)/.exec(got.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(LINK_TTL_SECONDS);
    const file = await load(res.body.items[0]!.url);
    expect({ status: file.status, pdf: file.bytes.equals(PDF) }).toEqual({ status: 200, pdf: true });
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it("leaves out what the caller may not read: another room's file, another's unsent upload, another app's, a deleted one", async () => {
    const [ana, bob, carol, stranger] = await Promise.all([
      server.member(tenant),
      server.member(tenant),
      server.member(tenant),
      server.member(otherTenant),
    ]);
    const room = await roomWith(ana, [bob]);
    const [sent, unsent, foreign, doomed] = await Promise.all([
      upload(ana, PNG, 'sent.png'),
      upload(ana, PNG, 'unsent.png'),
      upload(stranger, PNG, 'foreign.png'),
      upload(ana, PDF, 'doomed.pdf'),
    ]);
    await send(ana, room.id, [sent.id]);
    const deleted = await send(ana, room.id, [doomed.id]);
    expect((await server.request('DELETE', `/v1/messages/${deleted.id}`, { token: ana.accessToken })).status).toBe(200);

    const all = [sent.id, unsent.id, foreign.id, doomed.id];
    const ids = async (session: AuthSessionDto) => {
      const res = await links(session, all);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((i) => i.id);
    };
    // The uploader: the sent file and their own unsent upload. A room member: the sent file only.
    expect(await ids(ana)).toEqual([sent.id, unsent.id]);
    expect(await ids(bob)).toEqual([sent.id]);
    // Not in the room, and another app's user (who uploaded `foreign` in their own app: it is theirs to link).
    expect(await ids(carol)).toEqual([]);
    expect(await ids(stranger)).toEqual([foreign.id]);
  });

  it('links support attachments for every agent of the app and the visitor, not for other visitors', async () => {
    const [visitor, agent, otherVisitor, foreignAgent] = await Promise.all([
      server.guest(tenant, 'Vera'),
      server.member(tenant, undefined, { role: 'agent' }),
      server.guest(tenant),
      server.member(otherTenant, undefined, { role: 'agent' }),
    ]);
    const file = await upload(visitor, PNG, 'screenshot.png');
    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'see this', clientId: crypto.randomUUID(), attachments: [file.id] },
    });
    expect(started.status).toBe(201);
    // The agent never opened the conversation: agents reach every support conversation of their app.
    expect((await load(await linkOf(agent, file.id))).status).toBe(200);
    expect((await load(await linkOf(visitor, file.id))).status).toBe(200);
    for (const other of [otherVisitor, foreignAgent]) expect((await links(other, [file.id])).body.items).toEqual([]);
  });

  it('takes 1 to 100 ids, each an id, and a token', async () => {
    const ana = await server.member(tenant);
    const many = Array.from({ length: 101 }, () => crypto.randomUUID());
    for (const body of [{ ids: [] }, { ids: many }, { ids: ['../etc/passwd'] }, {}, { ids: 'x' }]) {
      const res = await server.request('POST', '/v1/uploads/links', { token: ana.accessToken, body });
      expect({ body, status: res.status, code: replyError(res.body)?.code }).toEqual({ body, status: 422, code: 'validation_failed' });
    }
    expect((await links(ana, many.slice(0, 100))).body.items).toEqual([]);
    const anonymous = await server.request('POST', '/v1/uploads/links', { body: { ids: [crypto.randomUUID()] } });
    expect({ status: anonymous.status, code: replyError(anonymous.body)?.code }).toEqual({ status: 401, code: 'unauthorized' });
  });
});

describe('GET /v1/uploads/:id with a signed link', () => {
  it('refuses a link tampered with, made for another file, expired, or claiming too long a life, with a typed 4xx', async () => {
    const ana = await server.member(tenant);
    const [a, b] = await Promise.all([upload(ana, PNG, 'a.png'), upload(ana, PDF, 'b.pdf')]);
    const link = await linkOf(ana, a.id);
    const { path, exp, sig } = parts(link);
    expect((await load(link)).status).toBe(200);

    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const refused = [
      withLink(path, exp, flip(sig, 10)),
      withLink(path, exp, flip(sig, sig.length - 1)),
      withLink(path, exp + 60, sig),
      withLink(path, exp - 1, sig),
      // A's signature on B's path.
      withLink(`/v1/uploads/${b.id}`, exp, sig),
    ];
    for (const bad of refused) {
      const got = await load(bad);
      expect({ bad, status: got.status, code: got.code }).toEqual({ bad, status: 403, code: 'forbidden' });
      expect(isPng(got.bytes)).toBe(false);
    }

    // Signed with the server's own key, but in the past: expired, not tampered.
    const signer = new LinkSigner(server.config.jwtSecret);
    const old = signer.sign(tenant.id, a.id, Date.now() - (LINK_TTL_SECONDS + 5) * 1000);
    const expired = await load(withLink(path, old.exp, old.sig));
    expect({ status: expired.status, code: expired.code }).toEqual({ status: 401, code: 'token_expired' });
    expect(expired.json).toMatchObject({ error: { message: expect.stringMatching(/expired/) } });
    // A genuine signature that lives far longer than links do was not made by this server.
    const forever = new LinkSigner(server.config.jwtSecret, 365 * 86_400).sign(tenant.id, a.id);
    expect((await load(withLink(path, forever.exp, forever.sig))).code).toBe('forbidden');
    // Signed for another app: the signature binds the file's own app.
    const otherApp = signer.sign(otherTenant.id, a.id);
    expect((await load(withLink(path, otherApp.exp, otherApp.sig))).code).toBe('forbidden');
    // A key other than the server's.
    const forged = new LinkSigner('an-attacker-guessing-the-secret-0123456789').sign(tenant.id, a.id);
    expect((await load(withLink(path, forged.exp, forged.sig))).code).toBe('forbidden');

    // Malformed: half a link, a signature of the wrong shape; and nothing at all.
    for (const query of [`?exp=${exp}`, `?sig=${sig}`, `?exp=${exp}&sig=short`, `?exp=soon&sig=${sig}`]) {
      const got = await load(path + query);
      expect({ query, status: got.status, code: got.code }).toEqual({ query, status: 422, code: 'validation_failed' });
    }
    expect(await load(path).then((r) => ({ status: r.status, code: r.code }))).toEqual({ status: 401, code: 'unauthorized' });
    // A link to a file that does not exist.
    const missing = crypto.randomUUID();
    const ghost = signer.sign(tenant.id, missing);
    expect((await load(withLink(`/v1/uploads/${missing}`, ghost.exp, ghost.sig))).code).toBe('not_found');
  });

  it('no longer takes the access token in the query; the Authorization header still works', async () => {
    const ana = await server.member(tenant);
    const file = await upload(ana, PNG, 'pixel.png');
    const byQuery = await load(`/v1/uploads/${file.id}?access_token=${encodeURIComponent(ana.accessToken)}`);
    expect({ status: byQuery.status, code: byQuery.code }).toEqual({ status: 401, code: 'unauthorized' });
    expect(isPng(byQuery.bytes)).toBe(false);
    const byHeader = await load(`/v1/uploads/${file.id}`, { authorization: `Bearer ${ana.accessToken}` });
    expect({ status: byHeader.status, png: isPng(byHeader.bytes) }).toEqual({ status: 200, png: true });
    expect(byHeader.headers.get('cache-control')).toBe('private, max-age=3600');
  });

  it('stops serving a file by its link once its message is deleted', async () => {
    const [ana, bob] = await Promise.all([server.member(tenant), server.member(tenant)]);
    const room = await roomWith(ana, [bob]);
    const file = await upload(ana, PDF, 'contract.pdf');
    const sent = await send(ana, room.id, [file.id]);
    const link = await linkOf(bob, file.id);
    expect((await load(link)).status).toBe(200);
    expect((await server.request('DELETE', `/v1/messages/${sent.id}`, { token: ana.accessToken })).status).toBe(200);
    const after = await load(link);
    expect({ status: after.status, code: after.code }).toEqual({ status: 404, code: 'not_found' });
    expect(after.bytes.includes(PDF)).toBe(false);
  });

  it("serves a page of an origin its app allows, with that origin's CORS header, and refuses another origin", async () => {
    const ana = await server.member(tenant);
    const file = await upload(ana, PNG, 'pixel.png');
    const res = await links(ana, [file.id], { origin: ORIGIN });
    expect({ status: res.status, cors: res.headers.get('access-control-allow-origin') }).toEqual({ status: 200, cors: ORIGIN });
    const link = res.body.items[0]!.url;
    const allowed = await load(link, { origin: ORIGIN });
    expect({ status: allowed.status, cors: allowed.headers.get('access-control-allow-origin') }).toEqual({ status: 200, cors: ORIGIN });
    // An origin only another app allows: refused, with no CORS header (the link works for its app's pages only).
    const otherApp = await server.createTenant([ELSEWHERE]);
    expect(otherApp.id).toBeTruthy();
    const refused = await load(link, { origin: ELSEWHERE });
    expect({ status: refused.status, code: refused.code, cors: refused.headers.get('access-control-allow-origin') }).toEqual({
      status: 403,
      code: 'origin_not_allowed',
      cors: null,
    });
  });

  it('is in the OpenAPI document: the links operation, and the download by exp and sig with no access_token', async () => {
    const doc = (
      await server.request<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>(
        'GET',
        '/v1/openapi.json',
      )
    ).body;
    expect(doc.paths['/v1/uploads/links']?.post).toBeDefined();
    const query = doc.paths['/v1/uploads/{id}']?.get?.parameters?.filter((p) => p.in === 'query').map((p) => p.name);
    expect(query?.sort()).toEqual(['exp', 'sig']);
  });
});

describe('client.uploads.src', () => {
  /** A client whose fetch counts the link requests. */
  async function counted(session: AuthSessionDto): Promise<{ client: ChatClient; linkRequests: string[][] }> {
    const linkRequests: string[][] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      if (String(input).endsWith('/v1/uploads/links')) linkRequests.push((JSON.parse(String(init?.body)) as { ids: string[] }).ids);
      return fetch(input, init);
    };
    const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'], fetch: fetchImpl });
    clients.push(client);
    await client.connectSession(session);
    return { client, linkRequests };
  }

  it('asks for the links of one tick in one request, gives signed URLs that load without a token, and reuses them', async () => {
    const [ana, bob] = await Promise.all([server.member(tenant), server.member(tenant)]);
    const room = await roomWith(ana, [bob]);
    const files = await Promise.all([upload(ana, PNG, '1.png'), upload(ana, PNG, '2.png'), upload(ana, PDF, '3.pdf')]);
    await send(
      ana,
      room.id,
      files.map((f) => f.id),
    );
    const { client, linkRequests } = await counted(bob);

    const urls = await Promise.all([...files, files[0]!].map((f) => client.uploads.src(f)));
    expect(linkRequests).toEqual([files.map((f) => f.id)]);
    expect(urls[3]).toBe(urls[0]);
    for (const [i, url] of urls.slice(0, 3).entries()) {
      expect(url.startsWith(`${server.url}/v1/uploads/${files[i]!.id}?exp=`)).toBe(true);
      expect(url).not.toContain(bob.accessToken);
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(i === 2 ? Buffer.from(await got.arrayBuffer()).equals(PDF) : isPng(Buffer.from(await got.arrayBuffer()))).toBe(true);
    }
    // Later asks come from the cache, without a request.
    expect(await client.uploads.src(files[1]!)).toBe(urls[1]);
    expect(linkRequests).toHaveLength(1);
  });

  it('rejects with a not_found ChatError for a file the user may not read, and forgets the links on logout', async () => {
    const [ana, carol] = await Promise.all([server.member(tenant), server.member(tenant)]);
    const mine = await upload(carol, PNG, 'mine.png');
    const theirs = await upload(ana, PNG, 'theirs.png');
    const { client, linkRequests } = await counted(carol);
    const [ok, refused] = await Promise.allSettled([client.uploads.src(mine), client.uploads.src(theirs)]);
    expect(ok.status).toBe('fulfilled');
    expect(refused.status).toBe('rejected');
    const reason = (refused as PromiseRejectedResult).reason as unknown;
    expect(reason).toBeInstanceOf(ChatError);
    expect(reason).toMatchObject({ code: 'not_found', status: 404 });
    expect(linkRequests).toHaveLength(1);

    await client.logout();
    // Signed out: refused (sign in first), not answered with the URL the previous user was given.
    const again = await client.uploads.src(mine).catch((err: unknown) => err);
    expect(again).toBeInstanceOf(ChatError);
    expect(again).toMatchObject({ code: 'unauthorized' });
  });
});

describe('the size limit in words', () => {
  it('names sizes as people read them, 1024-based', () => {
    expect(humanBytes(26_214_400)).toBe('25 MB');
    expect(humanBytes(1024)).toBe('1 KB');
    expect(humanBytes(1536)).toBe('1.5 KB');
    expect(humanBytes(100_000)).toBe('98 KB');
    expect(humanBytes(900)).toBe('900 bytes');
    expect(humanBytes(1024 ** 3)).toBe('1 GB');
  });
});
