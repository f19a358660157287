import { describe, expect, it } from 'vitest';

import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { clock, formatLine } from './pretty-log.js';

const AT = new Date(2025, 0, 2, 13, 4, 5, 67).getTime();
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: AT, pid: 1, hostname: 'h', service: 'confab', ...fields });

/** A stand-in for stdout that keeps what was written; `isTTY` as a terminal or a pipe reports it. */
function sink(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('formatLine', () => {
  it('prints the local time as HH:MM:SS.mmm', () => {
    expect(clock(AT)).toBe('13:04:05.067');
  });

  it('turns a request entry into method, route pattern, status and duration, then short context', () => {
    const json = line({
      msg: 'request',
      reqId: 'r-1',
      app: 'demo',
      user: 'u_1',
      method: 'GET',
      route: '/v1/rooms/:id/messages',
      status: 200,
      ms: 12.3,
    });
    expect(formatLine(json)).toBe('13:04:05.067 INFO  GET /v1/rooms/:id/messages 200 12 ms  app=demo user=u_1\n');
  });

  it('keeps the request id on server errors and shows the path of unmatched requests', () => {
    const failed = line({
      level: 50,
      msg: 'request',
      reqId: 'r-9',
      method: 'POST',
      route: '/v1/rooms',
      status: 500,
      ms: 3.14,
      code: 'internal',
    });
    expect(formatLine(failed)).toBe('13:04:05.067 ERROR POST /v1/rooms 500 3.1 ms  reqId=r-9 code=internal\n');
    const missing = line({
      msg: 'request',
      reqId: 'r-2',
      method: 'GET',
      route: 'unmatched',
      path: '/nope',
      status: 404,
      ms: 0.4,
      code: 'not_found',
    });
    expect(formatLine(missing)).toBe('13:04:05.067 INFO  GET /nope 404 0.4 ms  code=not_found\n');
  });

  it('prints a socket event as its name, outcome and duration', () => {
    const json = line({ msg: 'socket event', sid: 'abc', app: 'demo', user: 'u_1', event: 'message:send', outcome: 'ok', ms: 4.25 });
    expect(formatLine(json)).toBe('13:04:05.067 INFO  socket message:send ok 4.3 ms  app=demo user=u_1\n');
  });

  it('prints other entries as the message and their fields, with an error stack indented below', () => {
    const json = line({
      level: 40,
      msg: 'starting without redis',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      port: 3000,
    });
    expect(formatLine(json)).toBe('13:04:05.067 WARN  starting without redis  port=3000\n    Error: boom\n        at x\n');
    expect(formatLine(line({ msg: 'demo ready', file: '/a b/c', migrations: ['001'] }))).toBe(
      '13:04:05.067 INFO  demo ready  file="/a b/c" migrations=["001"]\n',
    );
  });

  it('colors the level and status only when asked to', () => {
    const json = line({ msg: 'request', method: 'GET', route: '/healthz', status: 503, ms: 1 });
    expect(formatLine(json, true)).toContain('\u001b[31m503\u001b[39m');
    expect(formatLine(json, false)).not.toContain('\u001b[');
  });

  it('passes text that is not pino JSON through unchanged', () => {
    expect(formatLine('plain text')).toBe('plain text');
  });
});

describe('createLogger', () => {
  it('writes JSON lines when the output is not a terminal (auto)', () => {
    const out = sink(false);
    createLogger('info', { format: 'auto', destination: out }).info({ method: 'GET', route: '/v1/me', status: 200, ms: 2 }, 'request');
    expect(out.written).toHaveLength(1);
    expect(JSON.parse(out.written[0] ?? '')).toMatchObject({ level: 30, msg: 'request', route: '/v1/me', service: 'confab' });
  });

  it('writes pretty lines on a terminal (auto), and JSON there when told to', () => {
    const tty = sink(true);
    createLogger('info', { format: 'auto', destination: tty }).info({ method: 'GET', route: '/v1/me', status: 200, ms: 2 }, 'request');
    expect(tty.written[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}GET \/v1\/me 200 2\.0 ms\n$/);
    const json = sink(true);
    createLogger('info', { format: 'json', destination: json }).info('hello');
    expect(JSON.parse(json.written[0] ?? '')).toMatchObject({ msg: 'hello' });
  });

  it('still redacts secrets and message text in pretty lines', () => {
    const out = sink(true);
    createLogger('info', { format: 'pretty', destination: out }).info(
      { body: { password: 'hunter2', text: 'secret words', name: 'Ana' } },
      'x',
    );
    expect(out.written[0]).toContain('body={"name":"Ana"}');
  });
});

describe('LOG_FORMAT', () => {
  const base = { JWT_SECRET: 'x'.repeat(32), DATA_DIR: '/tmp/confab-log-format-unused' };

  it('defaults to auto outside production and to JSON in production', () => {
    expect(loadConfig(base).logFormat).toBe('auto');
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ ...base, NODE_ENV: 'production', LOG_FORMAT: 'Pretty' }).logFormat).toBe('pretty');
  });

  it('refuses anything but pretty or json', () => {
    expect(() => loadConfig({ ...base, LOG_FORMAT: 'yaml' })).toThrow('Invalid configuration: LOG_FORMAT must be pretty or json, got yaml');
  });
});
