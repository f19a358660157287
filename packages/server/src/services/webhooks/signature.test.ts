import { describe, expect, it } from 'vitest';

import { signWebhook, verifyWebhook } from './signature.js';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'e1', type: 'message.created' });

  it('verifies what it signed', () => {
    expect(verifyWebhook('s3cret', body, signWebhook('s3cret', body))).toBe(true);
  });

  it('refuses another secret, another body and a tampered timestamp', () => {
    const header = signWebhook('s3cret', body);
    expect(verifyWebhook('other', body, header)).toBe(false);
    expect(verifyWebhook('s3cret', `${body} `, header)).toBe(false);
    const t = Number(header.slice(2, header.indexOf(',')));
    expect(verifyWebhook('s3cret', body, header.replace(`t=${t}`, `t=${t + 1}`))).toBe(false);
  });

  it('refuses an old signature (replay) and garbage', () => {
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect(verifyWebhook('s3cret', body, signWebhook('s3cret', body, tenMinutesAgo))).toBe(false);
    expect(verifyWebhook('s3cret', body, 'nonsense')).toBe(false);
    expect(verifyWebhook('s3cret', body, 't=1,v1=zz')).toBe(false);
  });
});
