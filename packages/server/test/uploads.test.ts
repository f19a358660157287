import type { AttachmentDto, AuthSessionDto, MessageDto, RoomDto, StartConversationResult } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// A real 1x1 RGBA PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
const TEXT = Buffer.from('Grüße aus Zürich ✓\nline two, with "quotes" & <angle> brackets? no: just text\n', 'utf8');
const HTML = Buffer.from('<!doctype html>\n<html><body><script>alert(document.cookie)</script></body></html>\n');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>');
// DOS stub of a Windows executable.
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(64, 0)]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let tenant: App;
let otherTenant: App;

interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: unknown;
}

/** Multipart upload in field `file`; the Blob's type and the file name are the client's claims only. */
async function upload<T = unknown>(
  srv: TestServer,
  token: string | undefined,
  bytes: Uint8Array,
  name: string,
  type = 'application/octet-stream',
): Promise<{ status: number; body: T }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${srv.url}/v1/uploads`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const text = await res.text();
  const body: unknown = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  return { status: res.status, body: body as T };
}

async function uploadOk(token: string, bytes: Uint8Array, name: string, type?: string): Promise<AttachmentDto> {
  const res = await upload<AttachmentDto>(server, token, bytes, name, type);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function download(pathOrId: string, token?: string): Promise<Download> {
  const path = pathOrId.startsWith('/') ? pathOrId : `/v1/uploads/${pathOrId}`;
  const res = await fetch(server.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, headers: res.headers, bytes, json };
}

async function groupRoom(owner: AuthSessionDto, memberIds: string[]): Promise<RoomDto> {
  const res = await server.request<RoomDto>('POST', '/v1/rooms', {
    token: owner.accessToken,
    body: { kind: 'group', name: 'Files', memberIds },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function sendFiles(session: AuthSessionDto, roomId: string, attachments: string[], text = '') {
  return server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
    token: session.accessToken,
    body: { clientId: crypto.randomUUID(), text, attachments },
  });
}

async function history(session: AuthSessionDto, roomId: string): Promise<MessageDto[]> {
  const res = await server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${roomId}/messages?limit=100`, {
    token: session.accessToken,
  });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Two fresh members of `tenant` in a new group room (fresh users keep the per-user upload rate out of the way). */
async function pair(): Promise<{ ana: AuthSessionDto; bob: AuthSessionDto; room: RoomDto }> {
  const [ana, bob] = await Promise.all([server.member(tenant), server.member(tenant)]);
  const room = await groupRoom(ana, [bob.user.id]);
  return { ana, bob, room };
}

function expectErrorBody(body: unknown, code: string): void {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

beforeAll(async () => {
  server = await startTestServer();
  [tenant, otherTenant] = await Promise.all([server.createTenant(), server.createTenant()]);
});

afterAll(() => server?.close());

describe('round trip', () => {
  const cases = [
    {
      what: 'a PNG image (inline, with its dimensions)',
      bytes: PNG,
      // The name and the client's MIME say HTML: only the bytes count.
      name: 'holiday.html',
      clientType: 'text/html',
      type: 'image/png',
      contentType: 'image/png',
      width: 1,
      height: 1,
      disposition: 'inline',
      ext: 'png',
    },
    {
      what: 'a PDF (as an attachment)',
      bytes: PDF,
      name: 'invoice.pdf',
      clientType: 'image/png',
      type: 'application/pdf',
      contentType: 'application/pdf',
      width: null,
      height: null,
      disposition: 'attachment',
      ext: 'pdf',
    },
    {
      what: 'a UTF-8 text file (text/plain with charset, as an attachment)',
      bytes: TEXT,
      name: 'notes.txt',
      clientType: 'text/html',
      type: 'text/plain',
      contentType: 'text/plain; charset=utf-8',
      width: null,
      height: null,
      disposition: 'attachment',
      ext: 'txt',
    },
  ];

  it.each(cases)('uploads, sends and lets another member download $what byte for byte', async (c) => {
    const { ana, bob, room } = await pair();

    const file = await uploadOk(ana.accessToken, c.bytes, c.name, c.clientType);
    expect(file).toEqual({
      id: expect.stringMatching(UUID),
      name: c.name,
      type: c.type,
      // Images are decoded and written again without their metadata: their size is the new file's.
      size: c.width ? expect.any(Number) : c.bytes.length,
      width: c.width,
      height: c.height,
      url: `/v1/uploads/${file.id}`,
      thumbnail: c.width ? { width: expect.any(Number), height: expect.any(Number) } : null,
    });

    const sent = await sendFiles(ana, room.id, [file.id]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.text).toBe('');
    expect(sent.body.attachments).toEqual([file]);

    const seen = (await history(bob, room.id)).find((m) => m.id === sent.body.id);
    expect(seen?.attachments).toEqual([file]);

    const got = await download(itemAt(seen?.attachments ?? [], 0).url, bob.accessToken);
    expect(got.status).toBe(200);
    if (c.width) expect(got.bytes.length).toBe(file.size);
    else expect(got.bytes.equals(c.bytes)).toBe(true);
    expect(got.headers.get('content-type')).toBe(c.contentType);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    const disposition = got.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(new RegExp(`^${c.disposition}; filename="confab-[0-9a-f]{8}\\.${c.ext}"$`));
    expect(disposition).not.toContain(c.name.split('.')[0]);
    expect(got.headers.get('content-security-policy') ?? '').toMatch(/\bsandbox\b/);
  });

  it('takes the type from the bytes whatever the name: a PNG named .txt is an image, text named .png is text', async () => {
    const { ana } = await pair();
    const png = await uploadOk(ana.accessToken, PNG, 'readme.txt', 'text/plain');
    expect(png).toMatchObject({ type: 'image/png', width: 1, height: 1, name: 'readme.txt' });
    const text = await uploadOk(ana.accessToken, TEXT, 'photo.png', 'image/png');
    expect(text).toMatchObject({ type: 'text/plain', width: null, height: null });

    const got = await download(text.id, ana.accessToken);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="confab-[0-9a-f]{8}\.txt"$/);
  });
});

describe('size limit', () => {
  const LIMIT = 1024;
  let small: TestServer;
  let smallTenant: App;

  beforeAll(async () => {
    small = await startTestServer({ env: { MAX_UPLOAD_BYTES: String(LIMIT) } });
    smallTenant = await small.createTenant();
  });

  afterAll(() => small?.close());

  it('refuses a file over MAX_UPLOAD_BYTES with 413 payload_too_large and keeps serving', async () => {
    const user = await small.member(smallTenant);

    const atLimit = await upload<AttachmentDto>(small, user.accessToken, Buffer.alloc(LIMIT, 'a'), 'exact.txt');
    expect(atLimit.status, JSON.stringify(atLimit.body)).toBe(201);
    expect(atLimit.body.size).toBe(LIMIT);

    const justOver = await upload(small, user.accessToken, Buffer.alloc(LIMIT + 1, 'a'), 'over.txt');
    expect(justOver.status).toBe(413);
    expectErrorBody(justOver.body, 'payload_too_large');
    // In words a person reads, with the exact limit for programs.
    expect(justOver.body).toMatchObject({ error: { message: 'Files are limited to 1 KB', details: { maxBytes: LIMIT } } });

    // Far over the limit (beyond the multipart envelope allowance): refused from Content-Length.
    const huge = await upload(small, user.accessToken, Buffer.alloc(256 * 1024, 'a'), 'huge.txt');
    expect(huge.status).toBe(413);
    expectErrorBody(huge.body, 'payload_too_large');
    expect(huge.body).toMatchObject({ error: { message: 'Files are limited to 1 KB', details: { maxBytes: LIMIT } } });

    // The server still answers, uploads and serves files afterwards.
    const after = await upload<AttachmentDto>(small, user.accessToken, PNG, 'after.png');
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    const res = await fetch(`${small.url}/v1/uploads/${after.body.id}`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(res.status).toBe(200);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 8)
        .equals(PNG.subarray(0, 8)),
    ).toBe(true);
    expect((await small.request('GET', '/v1/users', { token: user.accessToken })).status).toBe(200);
  });
});

describe('refused uploads', () => {
  it('refuses HTML and SVG renamed .png (with Blob type image/png) and an executable with 415', async () => {
    const { ana } = await pair();
    for (const [bytes, name, type] of [
      [HTML, 'cat.png', 'image/png'],
      [SVG, 'cat.png', 'image/png'],
      [EXE, 'setup.png', 'image/png'],
      [EXE, 'report.pdf', 'application/pdf'],
    ] as const) {
      const res = await upload(server, ana.accessToken, bytes, name, type);
      expect(res.status, `${name}: ${bytes.subarray(0, 12).toString('latin1')}`).toBe(415);
      expectErrorBody(res.body, 'unsupported_media_type');
    }
    const stored = await server.db('attachments').where({ uploaderId: ana.user.id }).count('* as n').first();
    expect(Number(stored!.n)).toBe(0);
  });

  it('answers 401 without a token, 415 to a non-multipart body, 4xx to an empty file or no file', async () => {
    const { ana } = await pair();

    const anonymous = await upload(server, undefined, PNG, 'a.png', 'image/png');
    expect(anonymous.status).toBe(401);
    expectErrorBody(anonymous.body, 'unauthorized');

    const json = await server.request('POST', '/v1/uploads', { token: ana.accessToken, body: { file: PNG.toString('base64') } });
    expect(json.status).toBe(415);
    expectErrorBody(json.body, 'unsupported_media_type');

    const raw = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.accessToken}`, 'content-type': 'image/png' },
      body: PNG,
    });
    expect(raw.status).toBe(415);
    expectErrorBody(await raw.json(), 'unsupported_media_type');

    const empty = await upload(server, ana.accessToken, new Uint8Array(0), 'empty.txt', 'text/plain');
    expect(empty.status).toBeGreaterThanOrEqual(400);
    expect(empty.status).toBeLessThan(500);
    expect(empty.body).toMatchObject({ error: { code: expect.any(String) } });

    const form = new FormData();
    form.append('note', 'no file here');
    const noFile = await fetch(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.accessToken}` },
      body: form,
    });
    expect(noFile.status).toBeGreaterThanOrEqual(400);
    expect(noFile.status).toBeLessThan(500);
    expect(await noFile.json()).toMatchObject({ error: { code: expect.any(String) } });

    // Still serving, and nothing was stored.
    await uploadOk(ana.accessToken, PNG, 'ok.png');
    const stored = await server.db('attachments').where({ uploaderId: ana.user.id }).count('* as n').first();
    expect(Number(stored!.n)).toBe(1);
  });
});

describe('file names', () => {
  it('keeps only a clean basename as the display name and never uses it for the download', async () => {
    const { ana, bob, room } = await pair();
    const cases: Array<[sent: string, stored: string]> = [
      ['../../etc/passwd.txt', 'passwd.txt'],
      ['C:\\Users\\eve\\Desktop\\secret.txt', 'secret.txt'],
      ['..\\..\\windows\\win.txt', 'win.txt'],
      ['bell\u202Egnp.txt', 'bellgnp.txt'],
    ];
    const files: AttachmentDto[] = [];
    for (const [sent, stored] of cases) {
      const file = await uploadOk(ana.accessToken, TEXT, sent, 'text/plain');
      expect(file.name, JSON.stringify(sent)).toBe(stored);
      expect(file.type).toBe('text/plain');
      files.push(file);
    }

    const message = await sendFiles(
      ana,
      room.id,
      files.map((f) => f.id),
    );
    expect(message.status, JSON.stringify(message.body)).toBe(201);
    expect(message.body.attachments.map((a) => a.name).sort()).toEqual(cases.map(([, stored]) => stored).sort());

    for (const file of files) {
      const got = await download(file.id, bob.accessToken);
      expect(got.status).toBe(200);
      expect(got.bytes.equals(TEXT)).toBe(true);
      const disposition = got.headers.get('content-disposition') ?? '';
      expect(disposition).toBe(`attachment; filename="confab-${file.id.slice(0, 8)}.txt"`);
      for (const bad of ['passwd', 'secret', 'win', 'gnp', '..', '/', '\\']) expect(disposition).not.toContain(bad);
    }
  });
});

describe('who may download', () => {
  it('serves the uploader before sending, then room members only; 404 to others, 401 without a token', async () => {
    const { ana, bob, room } = await pair();
    const [carol, visitor, stranger] = await Promise.all([server.member(tenant), server.guest(tenant), server.member(otherTenant)]);
    const file = await uploadOk(ana.accessToken, PNG, 'pixel.png', 'image/png');

    // Before sending: only the uploader.
    expect((await download(file.id, ana.accessToken)).status).toBe(200);
    for (const other of [bob, carol, visitor, stranger]) {
      const res = await download(file.id, other.accessToken);
      expect(res.status, other.user.name ?? other.user.id).toBe(404);
      expectErrorBody(res.json, 'not_found');
    }

    const sent = await sendFiles(ana, room.id, [file.id], 'a pixel');
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    // Room members, with the token in the header (<img src> uses signed links: upload-links.test.ts).
    for (const session of [ana, bob]) {
      const got = await download(file.id, session.accessToken);
      expect(got.status).toBe(200);
      expect(got.bytes.subarray(0, 8).equals(PNG.subarray(0, 8))).toBe(true);
      expect(got.headers.get('content-type')).toBe('image/png');
    }

    // Not in the room: a member of the same app, a guest, another app's member.
    for (const other of [carol, visitor]) {
      const res = await download(file.id, other.accessToken);
      expect([403, 404]).toContain(res.status);
      expect(res.bytes.includes(PNG)).toBe(false);
    }
    const foreign = await download(file.id, stranger.accessToken);
    expect(foreign.status).toBe(404);

    // No token, or a bad one.
    const anonymous = await download(file.id);
    expect(anonymous.status).toBe(401);
    expectErrorBody(anonymous.json, 'unauthorized');
    expect((await download(file.id, 'not-a-token')).status).toBe(401);

    // An id that does not exist, and one that is not an id.
    expect((await download(crypto.randomUUID(), ana.accessToken)).status).toBe(404);
    expect((await download('../../etc/passwd', ana.accessToken)).status).toBe(404);
  });

  it('stops serving the file of a deleted message', async () => {
    const { ana, bob, room } = await pair();
    const file = await uploadOk(ana.accessToken, PDF, 'contract.pdf', 'application/pdf');
    const sent = await sendFiles(ana, room.id, [file.id]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect((await download(file.id, bob.accessToken)).status).toBe(200);

    const deleted = await server.request<MessageDto>('DELETE', `/v1/messages/${sent.body.id}`, { token: ana.accessToken });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body.attachments).toEqual([]);

    for (const session of [bob, ana]) {
      const res = await download(file.id, session.accessToken);
      expect(res.status).toBe(404);
      expect(res.bytes.includes(PDF)).toBe(false);
    }
    const seen = (await history(bob, room.id)).find((m) => m.id === sent.body.id);
    expect(seen?.attachments).toEqual([]);
  });
});

describe('attaching', () => {
  it("refuses someone else's upload or an already-sent one with 422 and sends nothing", async () => {
    const { ana, bob, room } = await pair();
    const stranger = await server.member(otherTenant);
    const anas = await uploadOk(ana.accessToken, PDF, 'a.pdf');
    const bobs = await uploadOk(bob.accessToken, TEXT, 'b.txt');
    const before = (await history(ana, room.id)).length;

    // Someone else's (unsent) upload, alone or next to one's own.
    const stolen = await sendFiles(bob, room.id, [anas.id]);
    expect(stolen.status).toBe(422);
    expectErrorBody(stolen.body, 'validation_failed');
    const mixed = await sendFiles(bob, room.id, [bobs.id, anas.id]);
    expect(mixed.status).toBe(422);
    expectErrorBody(mixed.body, 'validation_failed');
    // An id that is no upload at all, and another app's user naming it.
    expect((await sendFiles(bob, room.id, [crypto.randomUUID()])).status).toBe(422);
    const strangerRoom = await server.request<RoomDto>('POST', '/v1/rooms', {
      token: stranger.accessToken,
      body: { kind: 'group', name: 'Elsewhere', memberIds: [] },
    });
    expect(strangerRoom.status).toBe(201);
    expect((await sendFiles(stranger, strangerRoom.body.id, [anas.id])).status).toBe(422);

    // The failed sends neither created messages nor linked the files: both owners can still send theirs.
    expect(await history(ana, room.id)).toHaveLength(before);
    expect((await download(anas.id, bob.accessToken)).status).toBe(404);
    const ok = await sendFiles(bob, room.id, [bobs.id]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.attachments).toEqual([bobs]);
    const first = await sendFiles(ana, room.id, [anas.id]);
    expect(first.status, JSON.stringify(first.body)).toBe(201);

    // Already sent: by its uploader again, or by someone who can now download it.
    const again = await sendFiles(ana, room.id, [anas.id]);
    expect(again.status).toBe(422);
    expectErrorBody(again.body, 'validation_failed');
    expect((await sendFiles(bob, room.id, [anas.id])).status).toBe(422);

    const items = await history(ana, room.id);
    expect(items).toHaveLength(before + 2);
    expect(items.find((m) => m.id === first.body.id)?.attachments).toEqual([anas]);
  });
});

describe('support conversations', () => {
  it("lets any agent of the app download a visitor's support attachment", async () => {
    const [visitor, agent, otherAgent, outsider, otherVisitor, foreignAgent] = await Promise.all([
      server.guest(tenant, 'Vera'),
      server.member(tenant, undefined, { role: 'agent' }),
      server.member(tenant, undefined, { role: 'agent' }),
      server.member(tenant),
      server.guest(tenant),
      server.member(otherTenant, undefined, { role: 'agent' }),
    ]);
    const file = await uploadOk(visitor.accessToken, PDF, 'receipt.pdf', 'application/pdf');

    const started = await server.request<StartConversationResult>('POST', '/v1/support/conversations', {
      token: visitor.accessToken,
      body: { text: 'see file', clientId: crypto.randomUUID(), attachments: [file.id] },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.message?.text).toBe('see file');
    expect(started.body.message?.attachments).toEqual([file]);

    for (const session of [agent, otherAgent, visitor]) {
      const got = await download(file.id, session.accessToken);
      expect(got.status).toBe(200);
      expect(got.bytes.equals(PDF)).toBe(true);
      expect(got.headers.get('content-type')).toBe('application/pdf');
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="confab-${file.id.slice(0, 8)}.pdf"`);
    }
    // The agent sees it in the conversation's history too.
    const seen = (await history(agent, started.body.id)).find((m) => m.id === started.body.message!.id);
    expect(seen?.attachments).toEqual([file]);

    // Not agents of this app: a plain member, another visitor, another app's agent.
    for (const other of [outsider, otherVisitor]) expect([403, 404]).toContain((await download(file.id, other.accessToken)).status);
    expect((await download(file.id, foreignAgent.accessToken)).status).toBe(404);
  });
});
