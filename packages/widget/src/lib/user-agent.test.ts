import { describe, expect, it } from 'vitest';

import { describeUserAgent, parseUserAgent } from './user-agent.js';

const on = (browser: string, os: string) => `${browser} on ${os}`;

// Real strings, as browsers send them.
const CASES: [string, string][] = [
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', 'Chrome 156 on Linux'],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36',
    'Chrome 131 on Linux',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Chrome 124 on Windows',
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
    'Edge 124 on Windows',
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128 on Windows'],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox 125 on Linux'],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
    'Safari 17 on macOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15' +
      ' (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Safari 17 on iOS',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15' +
      ' (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
    'Chrome 124 on iOS',
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15',
    'Firefox 125 on iOS',
  ],
  [
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    'Chrome 124 on Android',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36' +
      ' (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
    'Samsung Internet 25 on Android',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0',
    'Opera 110 on macOS',
  ],
  [
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Chrome 124 on ChromeOS',
  ],
];

describe('describeUserAgent', () => {
  it.each(CASES)('reads %s as %s', (ua, expected) => {
    expect(describeUserAgent(ua, on)).toBe(expected);
  });

  it('joins browser and OS in the words it is given', () => {
    expect(describeUserAgent(CASES[0]![0], (b, os) => `${b} no ${os}`)).toBe('Chrome 156 no Linux');
  });

  it('names a browser without its OS when the string names none', () => {
    expect(describeUserAgent('Mozilla/5.0 Firefox/128.0', on)).toBe('Firefox 128');
  });

  it('gives a string it cannot read back as is when short, cut with an ellipsis when long', () => {
    expect(describeUserAgent('curl/8.5.0', on)).toBe('curl/8.5.0');
    const long = `SomeCrawler/2.1 (+https://example.com/bot; ${'x'.repeat(100)})`;
    const shown = describeUserAgent(long, on, 40);
    expect([...shown]).toHaveLength(40);
    expect(shown.endsWith('…')).toBe(true);
    expect(long.startsWith(shown.slice(0, -1))).toBe(true);
  });
});

describe('parseUserAgent', () => {
  it('returns nulls for what the string does not say', () => {
    expect(parseUserAgent('curl/8.5.0')).toEqual({ browser: null, version: null, os: null });
    expect(parseUserAgent('Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0')).toEqual({ browser: null, version: null, os: 'Windows' });
  });
});
