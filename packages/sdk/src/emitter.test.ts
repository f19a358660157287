import { describe, expect, it, vi } from 'vitest';

import { Emitter } from './emitter.js';

type Events = {
  ping: (n: number) => void;
  pair: (a: string, b: boolean) => void;
};

describe('Emitter', () => {
  it('calls every listener of an event with its arguments', () => {
    const events = new Emitter<Events>();
    const first = vi.fn();
    const second = vi.fn();
    events.on('pair', first);
    events.on('pair', second);
    events.emit('pair', 'x', true);
    expect(first).toHaveBeenCalledWith('x', true);
    expect(second).toHaveBeenCalledWith('x', true);
  });

  it('calls only the listeners of the emitted event', () => {
    const events = new Emitter<Events>();
    const ping = vi.fn();
    events.on('ping', ping);
    events.emit('pair', 'x', false);
    expect(ping).not.toHaveBeenCalled();
  });

  it('stops delivery once the function returned by on() is called', () => {
    const events = new Emitter<Events>();
    const listener = vi.fn();
    const off = events.on('ping', listener);
    events.emit('ping', 1);
    off();
    events.emit('ping', 2);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith(1);
  });

  it('removes only the listener whose unsubscribe was called', () => {
    const events = new Emitter<Events>();
    const kept = vi.fn();
    const removed = vi.fn();
    events.on('ping', kept);
    const off = events.on('ping', removed);
    off();
    off(); // calling it twice is harmless
    events.emit('ping', 1);
    expect(kept).toHaveBeenCalledTimes(1);
    expect(removed).not.toHaveBeenCalled();
  });

  it('calls a once() listener for the next event only', () => {
    const events = new Emitter<Events>();
    const listener = vi.fn();
    events.once('ping', listener);
    events.emit('ping', 1);
    events.emit('ping', 2);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith(1);
  });

  it('never calls a once() listener that was unsubscribed first', () => {
    const events = new Emitter<Events>();
    const listener = vi.fn();
    const off = events.once('ping', listener);
    off();
    events.emit('ping', 1);
    expect(listener).not.toHaveBeenCalled();
  });

  it('still calls listeners added after one that unsubscribes itself while handling', () => {
    const events = new Emitter<Events>();
    const later = vi.fn();
    const off = events.on('ping', () => off());
    events.on('ping', later);
    events.emit('ping', 1);
    expect(later).toHaveBeenCalledWith(1);
  });

  it('keeps delivering to the others when a listener throws, and rethrows its error in a microtask', () => {
    const events = new Emitter<Events>();
    const boom = new Error('listener bug');
    const before = vi.fn();
    const after = vi.fn();
    events.on('ping', before);
    events.on('ping', () => {
      throw boom;
    });
    events.on('ping', after);
    const scheduled: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) => scheduled.push(task));
    try {
      expect(() => events.emit('ping', 7)).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(before).toHaveBeenCalledWith(7);
    expect(after).toHaveBeenCalledWith(7);
    expect(scheduled).toHaveLength(1);
    expect(() => scheduled[0]?.()).toThrow(boom);
  });
});
