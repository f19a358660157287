import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ChatError } from './errors.js';
import { DROPS_BEFORE_GIVING_UP, SendQueue } from './send-queue.js';

const offline = () => new ChatError('unavailable', 'Not connected', 0);

describe('SendQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a job at once and resolves with its result when it can send', async () => {
    const queue = new SendQueue(() => true);
    await expect(queue.push(async () => 'stored')).resolves.toBe('stored');
    expect(queue.size).toBe(0);
  });

  it('holds jobs while it cannot send, then runs them in order after wake()', async () => {
    let online = false;
    const queue = new SendQueue(() => online);
    const ran: string[] = [];
    const first = queue.push(async () => {
      ran.push('first');
      return 1;
    });
    const second = queue.push(async () => {
      ran.push('second');
      return 2;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ran).toEqual([]);
    expect(queue.size).toBe(2);

    online = true;
    queue.wake();
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(2);
    expect(ran).toEqual(['first', 'second']);
    expect(queue.size).toBe(0);
  });

  it('starts a job only after the one before it finished', async () => {
    const queue = new SendQueue(() => true);
    const events: string[] = [];
    let finishFirst!: () => void;
    const first = queue.push(() => {
      events.push('first started');
      return new Promise<void>((resolve) => {
        finishFirst = () => {
          events.push('first finished');
          resolve();
        };
      });
    });
    const second = queue.push(async () => {
      events.push('second started');
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['first started']);
    finishFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first started', 'first finished', 'second started']);
  });

  it('stops between jobs when it can no longer send', async () => {
    let online = true;
    const queue = new SendQueue(() => online);
    const second = vi.fn(async () => 2);
    await queue.push(async () => {
      online = false;
      return 1;
    });
    void queue.push(second);
    await vi.advanceTimersByTimeAsync(0);
    expect(second).not.toHaveBeenCalled();
    expect(queue.size).toBe(1);
  });

  it('keeps a job that failed with a retryable error at the head and runs it again after wake()', async () => {
    let online = true;
    const queue = new SendQueue(() => online);
    const attempt = vi.fn(async () => {
      if (attempt.mock.calls.length === 1) {
        online = false;
        throw offline();
      }
      return 'stored';
    });
    const later = vi.fn(async () => 'later');
    const result = queue.push(attempt);
    const next = queue.push(later);
    await vi.advanceTimersByTimeAsync(0);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(later).not.toHaveBeenCalled();
    expect(queue.size).toBe(2);

    online = true;
    queue.wake();
    await expect(result).resolves.toBe('stored');
    await expect(next).resolves.toBe('later');
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('retries a job that failed with a retryable error by itself after a backoff', async () => {
    const queue = new SendQueue(() => true);
    const attempt = vi.fn(async () => {
      if (attempt.mock.calls.length === 1) throw new ChatError('internal', 'Something broke', 500);
      return 'stored';
    });
    const result = queue.push(attempt);
    await vi.advanceTimersByTimeAsync(0);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(result).resolves.toBe('stored');
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('rejects a job that failed with a non-retryable error and goes on with the next', async () => {
    const queue = new SendQueue(() => true);
    const refused = new ChatError('forbidden', 'Not a member', 403);
    const attempt = vi.fn(async () => {
      throw refused;
    });
    const result = queue.push(attempt);
    const next = queue.push(async () => 'next');
    await expect(result).rejects.toBe(refused);
    await expect(next).resolves.toBe('next');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(queue.size).toBe(0);
  });

  it('rejects a job that failed with something other than a ChatError', async () => {
    const queue = new SendQueue(() => true);
    const bug = new TypeError('oops');
    await expect(
      queue.push(async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(queue.size).toBe(0);
  });

  it('waits the retryAfterMs the server gave before retrying a rate-limited job', async () => {
    const queue = new SendQueue(() => true);
    const attempt = vi.fn(async () => {
      if (attempt.mock.calls.length === 1) {
        throw new ChatError('rate_limited', 'Slow down', 429, { retryAfterMs: 5_000 });
      }
      return 'stored';
    });
    const result = queue.push(attempt);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('stored');
    expect(attempt).toHaveBeenCalledTimes(2);
  });

  it('waits a second before retrying a rate-limited job when the server gave no retryAfterMs', async () => {
    const queue = new SendQueue(() => true);
    const attempt = vi.fn(async () => {
      if (attempt.mock.calls.length === 1) throw new ChatError('rate_limited', 'Slow down', 429);
      return 'stored';
    });
    const result = queue.push(attempt);
    await vi.advanceTimersByTimeAsync(999);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('stored');
  });

  it('runs a waiting job at once on wake(), without waiting out the backoff', async () => {
    const queue = new SendQueue(() => true);
    const attempt = vi.fn(async () => {
      if (attempt.mock.calls.length === 1) throw offline();
      return 'stored';
    });
    const result = queue.push(attempt);
    await vi.advanceTimersByTimeAsync(0);
    queue.wake();
    await expect(result).resolves.toBe('stored');
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempt).toHaveBeenCalledTimes(2); // the cancelled backoff does not run it a third time
  });
});

describe('SendQueue and a message the connection keeps dropping on', () => {
  it(`fails a job after ${DROPS_BEFORE_GIVING_UP} drops and runs the next one`, async () => {
    vi.useFakeTimers();
    try {
      const queue = new SendQueue(() => true);
      let attempts = 0;
      const poisoned = queue.push(async () => {
        attempts++;
        throw new ChatError('unavailable', 'dropped', 0, { dropped: true });
      });
      const caught = poisoned.catch((err: ChatError) => err);
      const next = queue.push(async () => 'next stored');
      for (let i = 0; i < DROPS_BEFORE_GIVING_UP; i++) {
        queue.wake();
        await vi.advanceTimersByTimeAsync(2_500);
      }
      const error = await caught;
      expect(error).toBeInstanceOf(ChatError);
      expect(error.retryable).toBe(false);
      expect(attempts).toBe(DROPS_BEFORE_GIVING_UP);
      await expect(next).resolves.toBe('next stored');
    } finally {
      vi.useRealTimers();
    }
  });
});
