import { type ChatClient, ChatError, type MessageDto, type Room, type RoomDto } from '@confab/sdk';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';

import { useSdkApp } from './helpers/sdk.js';
import { until } from './helpers/wait.js';

const sdk = useSdkApp();
const member = (name: string, externalId?: string) => sdk.member(name, { externalId });

/** A public room made by `owner`, joined and watched by each of `others`; the owner's room watched too. */
async function publicRoom(owner: ChatClient, ...others: ChatClient[]): Promise<{ dto: RoomDto; rooms: Room[] }> {
  const dto = await owner.rooms.create({ kind: 'public', name: `Lobby ${Math.random().toString(36).slice(2, 6)}` });
  const rooms = [await owner.room(dto.id).watch()];
  for (const client of others) rooms.push(await (await client.rooms.join(dto.id)).watch());
  return { dto, rooms };
}

const texts = (room: Room) =>
  room.state
    .get()
    .messages.filter((m) => m.seq > 0)
    .map((m) => m.text);

describe('moderation through the SDK', () => {
  it('refuses a muted member’s send (forbidden, details.mutedUntil), shows the mute live, and lets them write once unmuted', async () => {
    const owner = await member('Olga');
    const ana = await member('Ana');
    const {
      rooms: [, anaRoom],
    } = await publicRoom(owner.client, ana.client);
    await anaRoom!.send('before the mute');

    const muted = await owner.client.room(anaRoom!.id).moderation.mute(ana.id, { durationSeconds: 3600, reason: 'Flooding' });
    expect(Date.parse(muted.mutedUntil!)).toBeGreaterThan(Date.now() + 3500_000);
    // Ana's room hears it (room:moderation) and keeps the end of the mute.
    await until('the mute in Ana’s room', () => anaRoom!.state.get().room?.membership?.mutedUntil === muted.mutedUntil);

    const refused = await anaRoom!.send('during the mute').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatError);
    expect((refused as ChatError).code).toBe('forbidden');
    expect((refused as ChatError).details).toMatchObject({ mutedUntil: muted.mutedUntil });
    expect(anaRoom!.state.get().messages.at(-1)?.status).toBe('failed');

    await owner.client.room(anaRoom!.id).moderation.unmute(ana.id);
    await until('the unmute in Ana’s room', () => anaRoom!.state.get().room?.membership?.mutedUntil === null);
    const sent = await anaRoom!.send('after the mute');
    expect(sent.text).toBe('after the mute');

    const log = await owner.client.room(anaRoom!.id).moderation.moderationLog();
    expect(log.items.map((e) => e.action)).toEqual(expect.arrayContaining(['member.muted', 'member.unmuted']));
    expect(log.items.find((e) => e.action === 'member.muted')).toMatchObject({ targetUserId: ana.id, reason: 'Flooding' });
  });

  it('keeps every watcher’s pins live, newest first; a member cannot pin, and their report reaches the owner live', async () => {
    const owner = await member('Olga');
    const ana = await member('Ana');
    const {
      rooms: [ownerRoom, anaRoom],
    } = await publicRoom(owner.client, ana.client);
    const first = await ownerRoom!.send('Rules: be kind');
    const second = await anaRoom!.send('Meetup on Friday');

    await ownerRoom!.moderation.pin(first.id);
    await ownerRoom!.moderation.pin(second.id);
    await until('both pins in Ana’s room', () => anaRoom!.state.get().pins.length === 2);
    expect(anaRoom!.state.get().pins.map((p) => p.message.id)).toEqual([second.id, first.id]);
    expect(ownerRoom!.state.get().pins.map((p) => p.message.id)).toEqual([second.id, first.id]);

    const refused = await anaRoom!.moderation.pin(second.id).catch((err: unknown) => err);
    expect((refused as ChatError).code).toBe('forbidden');

    // Reports reach the room's moderators as a client event.
    const heard: string[] = [];
    const off = owner.client.on('moderation:report', (report) => heard.push(`${report.messageId} ${report.reason}`));
    await ana.client.messages.report(first.id, { reason: 'other', comment: 'Not kind itself' });
    await until('the report heard by the owner', () => heard.length === 1);
    expect(heard).toEqual([`${first.id} other`]);
    off();

    await ownerRoom!.moderation.unpin(second.id);
    await until('the unpin in Ana’s room', () => anaRoom!.state.get().pins.length === 1);
    expect(anaRoom!.state.get().pins[0]!.message.id).toBe(first.id);
    // A fresh watcher reads them on watch().
    const bea = await member('Bea');
    const beaRoom = await (await bea.client.rooms.join(ownerRoom!.id)).watch();
    expect(beaRoom.state.get().pins.map((p) => p.message.id)).toEqual([first.id]);
  });

  it('leaves a blocked sender’s messages out of the room, in the history and live, until unblocked', async () => {
    const owner = await member('Olga');
    const ana = await member('Ana');
    const bob = await member('Bob');
    const {
      dto,
      rooms: [, anaRoom, bobRoom],
    } = await publicRoom(owner.client, ana.client, bob.client);
    await bobRoom!.send('bob: buy my stuff');
    await anaRoom!.send('ana: hello');
    await until('both in Ana’s room', () => texts(anaRoom!).length === 2);

    await ana.client.blocks.add(bob.id);
    expect(texts(anaRoom!)).toEqual(['ana: hello']);
    expect((await ana.client.blocks.list()).items.map((b) => b.userId)).toEqual([bob.id]);

    // Live: Bob's next message reaches the room but is not listed for Ana; Olga's is.
    await bobRoom!.send('bob: again');
    await owner.client.room(dto.id).send('olga: welcome');
    await until('Olga’s message in Ana’s room', () => texts(anaRoom!).includes('olga: welcome'));
    expect(texts(anaRoom!)).toEqual(['ana: hello', 'olga: welcome']);

    // The history a new client of Ana's loads leaves him out too (the block list is read on watch).
    const again = (await member('Ana', ana.externalId)).client;
    const fresh = await again.room(dto.id).watch();
    expect(texts(fresh)).toEqual(['ana: hello', 'olga: welcome']);

    await ana.client.blocks.remove(bob.id);
    expect(texts(anaRoom!)).toEqual(['bob: buy my stuff', 'ana: hello', 'bob: again', 'olga: welcome']);
  });

  it('exports a member’s data, then erases them: others’ rooms drop the texts live, and the session ends', async () => {
    const owner = await member('Olga');
    const ana = await member('Ana');
    const {
      rooms: [ownerRoom, anaRoom],
    } = await publicRoom(owner.client, ana.client);
    const secret = await anaRoom!.send('my secret plan');
    await ownerRoom!.send('reply from Olga');
    await until('Ana’s message in Olga’s room', () => texts(ownerRoom!).includes('my secret plan'));

    const archive = await ana.client.users.export();
    expect(archive).toBeInstanceOf(Blob);
    expect(await archive.text()).toContain('my secret plan');

    // A fresh host-signed token proves it is Ana.
    const token = jwt.sign({ name: 'Ana' }, sdk.tenant.secret, {
      algorithm: 'HS256',
      subject: ana.externalId,
      audience: sdk.tenant.id,
      expiresIn: '5m',
    });
    const erasure = await ana.client.users.erase({ token });
    expect(['pending', 'done']).toContain(erasure.status);
    expect(ana.client.user).toBeNull();

    await until('the tombstone in Olga’s room', () => {
      const held = ownerRoom!.state.get().messages.find((m) => m.id === secret.id);
      return held && held.text === '' && held.deletedAt !== null;
    });
    expect(texts(ownerRoom!)).toEqual(['', 'reply from Olga']);
    const stored = await sdk.server.request<{ items: MessageDto[] }>('GET', `/v1/rooms/${ownerRoom!.id}/messages`, {
      token: (await sdk.server.member(sdk.tenant, owner.externalId)).accessToken,
    });
    expect(stored.body.items.map((m) => m.text)).not.toContain('my secret plan');
  });
});
