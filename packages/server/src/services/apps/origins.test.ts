import { describe, expect, it } from 'vitest';

import { isValidOriginPattern, originAllowed, originMatches } from './origins.js';

describe('origin patterns', () => {
  it('matches exact origins with default ports normalised', () => {
    expect(originMatches('https://shop.example.com', 'https://shop.example.com')).toBe(true);
    expect(originMatches('https://shop.example.com:443', 'https://shop.example.com')).toBe(true);
    expect(originMatches('https://shop.example.com', 'http://shop.example.com')).toBe(false);
    expect(originMatches('https://shop.example.com', 'https://shop.example.com:8443')).toBe(false);
  });

  it('matches any port only where the pattern says *', () => {
    expect(originMatches('http://localhost:*', 'http://localhost:5173')).toBe(true);
    expect(originMatches('http://localhost:*', 'http://localhost')).toBe(true);
    expect(originMatches('http://localhost:*', 'http://localhost.evil.com:5173')).toBe(false);
    expect(originMatches('http://localhost:3000', 'http://localhost:3001')).toBe(false);
  });

  it('matches subdomains, never the bare domain or look-alikes', () => {
    expect(originMatches('https://*.example.com', 'https://a.b.example.com')).toBe(true);
    expect(originMatches('https://*.example.com', 'https://example.com')).toBe(false);
    expect(originMatches('https://*.example.com', 'https://evilexample.com')).toBe(false);
  });

  it('refuses null, paths and userinfo', () => {
    expect(originAllowed(['http://localhost:*'], 'null')).toBe(false);
    expect(originMatches('https://shop.example.com', 'https://shop.example.com/path')).toBe(false);
    expect(originMatches('https://shop.example.com', 'https://user@shop.example.com')).toBe(false);
  });

  it('accepts only well-formed patterns', () => {
    expect(isValidOriginPattern('*')).toBe(false);
    expect(isValidOriginPattern('https://example.com/')).toBe(false);
    expect(isValidOriginPattern('ftp://example.com')).toBe(false);
    expect(isValidOriginPattern('https://*.example.com')).toBe(true);
    expect(isValidOriginPattern('http://127.0.0.1:*')).toBe(true);
  });
});
