import { describe, expect, it } from 'vitest';

import { ChatError } from './errors.js';

describe('ChatError', () => {
  it('is an Error named ChatError with its code, status and message', () => {
    const error = new ChatError('not_found', 'No such room', 404);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ChatError);
    expect(error.name).toBe('ChatError');
    expect(error).toMatchObject({ code: 'not_found', status: 404, message: 'No such room', retryable: false });
    expect(error.stack).toContain('No such room');
  });

  it("takes the code's HTTP status when none is given", () => {
    expect(new ChatError('conflict', 'Taken').status).toBe(409);
    expect(new ChatError('unavailable', 'Down').status).toBe(503);
  });

  it('marks rate_limited, internal and unavailable as retryable, and nothing else', () => {
    const retryable = ['rate_limited', 'internal', 'unavailable'] as const;
    const final = [
      'bad_request',
      'unauthorized',
      'token_expired',
      'forbidden',
      'origin_not_allowed',
      'not_found',
      'conflict',
      'payload_too_large',
      'unsupported_media_type',
      'validation_failed',
    ] as const;
    for (const code of retryable) expect(new ChatError(code, code).retryable, code).toBe(true);
    for (const code of final) expect(new ChatError(code, code).retryable, code).toBe(false);
  });

  describe('fromResponse', () => {
    it("rehydrates the server's error body with its code, message, status and details", () => {
      const details = [{ path: 'body.password', message: '"password" is required' }];
      const error = ChatError.fromResponse(422, { error: { code: 'validation_failed', message: 'Invalid input', details } });
      expect(error).toBeInstanceOf(ChatError);
      expect(error).toMatchObject({ code: 'validation_failed', message: 'Invalid input', status: 422, retryable: false });
      expect(error.details).toEqual(details);
    });

    it('keeps the details of a rate_limited reply and marks it retryable', () => {
      const error = ChatError.fromResponse(429, {
        error: { code: 'rate_limited', message: 'Too many requests', details: { retryAfterMs: 800 } },
      });
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true, details: { retryAfterMs: 800 } });
    });

    it("takes the code's status for a socket ack's error (status 0)", () => {
      const error = ChatError.fromResponse(0, { error: { code: 'forbidden', message: 'Not a member' } });
      expect(error).toMatchObject({ code: 'forbidden', status: 403, message: 'Not a member', retryable: false });
    });

    it('uses the code as the message when the body has none', () => {
      expect(ChatError.fromResponse(404, { error: { code: 'not_found' } }).message).toBe('not_found');
    });

    it('answers internal, retryable, for a 5xx reply without an error body', () => {
      for (const body of [null, undefined, '<html>Bad gateway</html>', {}, []]) {
        const error = ChatError.fromResponse(502, body);
        expect(error).toMatchObject({ code: 'internal', status: 502, retryable: true });
        expect(error.message).toContain('502');
      }
    });

    it('answers bad_request, not retryable, for a 4xx reply without an error body', () => {
      const error = ChatError.fromResponse(400, null);
      expect(error).toMatchObject({ code: 'bad_request', status: 400, retryable: false });
    });

    it('does not trust an unknown code or a malformed error object', () => {
      const garbage: unknown[] = [
        { error: { code: 'teapot', message: 'I am a teapot' } },
        { error: 'not_found' },
        { error: null },
        { error: { message: 'no code' } },
        { error: { code: 42 } },
        { error: { code: 'toString' } },
        { error: { code: '__proto__' } },
        42,
        'plain text',
      ];
      for (const body of garbage) {
        const error = ChatError.fromResponse(418, body);
        expect(error, JSON.stringify(body)).toMatchObject({ code: 'bad_request', status: 418, retryable: false });
      }
    });
  });
});
