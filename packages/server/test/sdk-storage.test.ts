import { ChatError } from '@confab/sdk';
import { describe, expect, it } from 'vitest';

import { useSdkApp } from './helpers/sdk.js';

const sdk = useSdkApp();
const member = (name: string, claims: Record<string, unknown> = {}) => sdk.member(name, { claims });

/** A text file of exactly `bytes` bytes (text is stored as sent). */
const textFile = (bytes: number) => new Blob(['a'.repeat(bytes)], { type: 'text/plain' });

describe('storage quotas through the SDK', () => {
  it('shows a person their own use and an admin the app total; the admin’s quota refuses the next upload over it', async () => {
    const admin = await member('Ada', { role: 'admin' });
    const ana = await member('Ana');

    await ana.client.uploads.upload(textFile(400), 'notes.txt');
    expect(await ana.client.storage.usage()).toEqual({ user: { usedBytes: 400, limitBytes: null } });

    const before = await admin.client.storage.usage();
    expect(before.app).toMatchObject({ usedBytes: 400, limitBytes: null, topUsers: [{ userId: ana.id, usedBytes: 400 }] });

    const set = await admin.client.storage.setQuota({ userBytes: 500, appBytes: 10_000 });
    expect(set.user).toEqual({ usedBytes: 0, limitBytes: 500 });
    expect(set.app).toMatchObject({ usedBytes: 400, limitBytes: 10_000 });
    expect((await ana.client.storage.usage()).user).toEqual({ usedBytes: 400, limitBytes: 500 });

    const over = await ana.client.uploads.upload(textFile(101), 'more.txt').catch((err: unknown) => err);
    expect(over).toBeInstanceOf(ChatError);
    expect(over).toMatchObject({ code: 'payload_too_large', status: 413, details: { scope: 'user', usedBytes: 400, limitBytes: 500 } });

    // A field left out stays; null lifts the limit.
    const cleared = await admin.client.storage.setQuota({ userBytes: null });
    expect(cleared.user.limitBytes).toBeNull();
    expect(cleared.app?.limitBytes).toBe(10_000);
  });

  it('rejects a non-admin’s setQuota with the typed forbidden error and leaves the quotas as they were', async () => {
    const admin = await member('Ada', { role: 'admin' });
    const bob = await member('Bob');
    await admin.client.storage.setQuota({ userBytes: 2048, appBytes: null });

    const refused = await bob.client.storage.setQuota({ userBytes: null }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatError);
    expect(refused).toMatchObject({ code: 'forbidden', status: 403, retryable: false });
    const mine = await bob.client.storage.usage();
    expect(mine).toEqual({ user: { usedBytes: 0, limitBytes: 2048 } });
    expect(mine.app).toBeUndefined();
  });
});
