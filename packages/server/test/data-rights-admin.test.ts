import { randomUUID } from 'node:crypto';

import type { AuthSessionDto, ErasureDto, MessageDto, PageDto, RoomDto } from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { expectStatus, startTestServer, type TestServer } from './helpers/server.js';

/** An app's own admins answer data-access and erasure requests: `/v1/moderation/users/:userId(/export)`. */

describe("an app's admins export and erase its people", () => {
  let server: TestServer;
  let tenant: App;
  let admin: AuthSessionDto;
  let otherAdmin: AuthSessionDto;
  let agent: AuthSessionDto;
  let vera: AuthSessionDto;
  let bob: AuthSessionDto;
  let stranger: AuthSessionDto;
  let room: RoomDto;

  const api = <T = unknown>(who: AuthSessionDto, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, { token: who.accessToken, body });

  beforeAll(async () => {
    server = await startTestServer();
    tenant = await server.createTenant();
    admin = await server.member(tenant, 'dr-admin', { role: 'admin', name: 'Ada' });
    otherAdmin = await server.member(tenant, 'dr-admin-2', { role: 'admin', name: 'Abel' });
    agent = await server.member(tenant, 'dr-agent', { role: 'agent', name: 'Rui' });
    vera = await server.member(tenant, 'dr-vera', { name: 'Vera Private', email: 'vera.private@example.com' });
    bob = await server.member(tenant, 'dr-bob', { name: 'Bob' });
    stranger = await server.member(await server.createTenant(), 'dr-stranger', { name: 'Stan' });
    room = (await api<RoomDto>(vera, 'POST', '/v1/rooms', { kind: 'group', name: 'Garden', memberIds: [bob.user.id] })).body;
    for (const [who, text] of [
      [vera, 'Vera plants tomatoes'],
      [bob, 'Bob waters them'],
      [vera, 'Vera picks them'],
    ] as const) {
      expectStatus(await api(who, 'POST', `/v1/rooms/${room.id}/messages`, { clientId: randomUUID(), text }), 201);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('exports a person for an admin, with their messages and none of anyone else’s', async () => {
    const res = await fetch(`${server.url}/v1/moderation/users/${vera.user.id}/export`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`confab-export-${vera.user.id}-`);
    const text = await res.text();
    const archive = JSON.parse(text) as { profile: { id: string; email: string }; messages: { text: string }[] };
    expect(archive.profile).toMatchObject({ id: vera.user.id, email: 'vera.private@example.com' });
    expect(archive.messages.map((m) => m.text)).toEqual(['Vera plants tomatoes', 'Vera picks them']);
    expect(text).not.toContain('Bob waters them');
  });

  it('refuses agents, members, another app’s people, a malformed id, and erasing oneself or another admin', async () => {
    for (const who of [agent, bob]) {
      expectStatus(await api(who, 'GET', `/v1/moderation/users/${vera.user.id}/export`), 403, 'forbidden');
      expectStatus(await api(who, 'DELETE', `/v1/moderation/users/${vera.user.id}`), 403, 'forbidden');
    }
    expectStatus(await api(admin, 'GET', `/v1/moderation/users/${stranger.user.id}/export`), 404, 'not_found');
    expectStatus(await api(admin, 'DELETE', `/v1/moderation/users/${stranger.user.id}`), 404, 'not_found');
    expectStatus(await api(admin, 'DELETE', '/v1/moderation/users/not-a-uuid'), 404, 'not_found');
    expectStatus(await api(admin, 'DELETE', `/v1/moderation/users/${admin.user.id}`), 403, 'forbidden');
    expectStatus(await api(admin, 'DELETE', `/v1/moderation/users/${otherAdmin.user.id}`), 403, 'forbidden');
    // Nothing was erased by any of that.
    expect(Number((await server.db('user_erasures').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('erases a person for an admin: their texts and profile are gone, the room keeps its seqs, and again is harmless', async () => {
    const res = await api<ErasureDto>(admin, 'DELETE', `/v1/moderation/users/${vera.user.id}`);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ userId: vera.user.id, status: 'done', finishedAt: expect.any(String) });
    const page = (await api<PageDto<MessageDto>>(bob, 'GET', `/v1/rooms/${room.id}/messages`)).body;
    expect(page.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(page.items.map((m) => m.text)).toEqual(['', 'Bob waters them', '']);
    expect(JSON.stringify(page)).not.toContain('Vera');
    expectStatus(await api(vera, 'GET', '/v1/me'), 401);
    const again = await api<ErasureDto>(admin, 'DELETE', `/v1/moderation/users/${vera.user.id}`);
    expectStatus(again, 200);
    expect(again.body.finishedAt).toBe(res.body.finishedAt);
    const requested = await server.db('user_erasures').where({ userId: vera.user.id }).first('requested_by');
    expect(requested).toEqual({ requestedBy: 'admin' });
  });
});
