import { describe, expect, it } from 'vitest';

import { autolink, type TextPart } from './autolink.js';

const joined = (parts: TextPart[]) => parts.map((p) => p.text).join('');
const links = (parts: TextPart[]) => parts.filter((p) => p.href !== undefined);

describe('autolink', () => {
  it('turns an https URL into a link and keeps the text around it as plain parts', () => {
    expect(autolink('see https://example.com/a?b=1#c now')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { text: ' now' },
    ]);
  });

  it('turns an http URL into a link', () => {
    expect(autolink('http://example.com/page')).toEqual([{ text: 'http://example.com/page', href: 'http://example.com/page' }]);
  });

  it('recognises an upper-case HTTPS scheme, shows it as written and links the normalised URL', () => {
    expect(autolink('HTTPS://Example.COM/Path')).toEqual([{ text: 'HTTPS://Example.COM/Path', href: 'https://example.com/Path' }]);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'ftp://example.com/file.txt',
    'file:///etc/passwd',
    'mailto:someone@example.com',
  ])('never links %s: it stays one plain text part', (input) => {
    expect(autolink(`click ${input} please`)).toEqual([{ text: `click ${input} please` }]);
  });

  it('links only the https URL quoted inside a javascript: payload, never the javascript: text', () => {
    const input = 'javascript:fetch("https://evil.example/steal")';
    const parts = autolink(input);
    expect(links(parts)).toEqual([{ text: 'https://evil.example/steal', href: 'https://evil.example/steal' }]);
    expect(parts[0]).toEqual({ text: 'javascript:fetch("' });
    expect(joined(parts)).toBe(input);
  });

  it('does not link a scheme glued to a preceding word (xhttps://…)', () => {
    expect(autolink('xhttps://example.com')).toEqual([{ text: 'xhttps://example.com' }]);
  });

  it.each([
    ['.', 'Visit https://example.com/docs.'],
    [',', 'Visit https://example.com/docs, then leave'],
    ['!', 'Wow https://example.com/docs!'],
    [')', '(see https://example.com/docs)'],
    ['?', 'Did you read https://example.com/docs?'],
    [').', '(see https://example.com/docs).'],
  ])('leaves trailing %s out of the link', (punctuation, input) => {
    const parts = autolink(input);
    expect(links(parts)).toEqual([{ text: 'https://example.com/docs', href: 'https://example.com/docs' }]);
    const linkIndex = parts.findIndex((p) => p.href !== undefined);
    expect(parts[linkIndex + 1]?.text.startsWith(punctuation)).toBe(true);
    expect(joined(parts)).toBe(input);
  });

  it('keeps punctuation that is inside the URL (dots and commas before the path ends)', () => {
    const parts = autolink('go to https://a.example.com/x,y.html now');
    expect(links(parts)).toEqual([{ text: 'https://a.example.com/x,y.html', href: 'https://a.example.com/x,y.html' }]);
  });

  it('keeps a closing parenthesis that belongs to the URL (balanced, as in Wikipedia links)', () => {
    const parts = autolink('(see https://en.wikipedia.org/wiki/Foo_(bar))');
    expect(links(parts)).toEqual([{ text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' }]);
    expect(parts.at(-1)).toEqual({ text: ')' });
  });

  it('finds several links and keeps the text between them exactly', () => {
    expect(autolink('a http://one.example b  https://two.example/x, c\nhttps://three.example')).toEqual([
      { text: 'a ' },
      { text: 'http://one.example', href: 'http://one.example/' },
      { text: ' b  ' },
      { text: 'https://two.example/x', href: 'https://two.example/x' },
      { text: ', c\n' },
      { text: 'https://three.example', href: 'https://three.example/' },
    ]);
  });

  it.each([
    '',
    'plain text, no links at all.',
    '  leading and trailing spaces  ',
    'https://example.com',
    'one https://a.example two https://b.example three',
    'line one\n\nhttps://example.com/x).\ttab',
    'javascript:alert(1) and https://ok.example/?q=a%20b&r=1!',
    'ünïcödé 🎉 https://example.com/ä 👍',
    '<script>alert(1)</script> https://example.com/<b>',
  ])('gives back the input when the parts are joined: %j', (input) => {
    expect(joined(autolink(input))).toBe(input);
  });

  it('keeps <script> as plain text and stops a URL at <', () => {
    const parts = autolink('<script>alert(1)</script> https://example.com/<script>x</script>');
    expect(parts).toEqual([
      { text: '<script>alert(1)</script> ' },
      { text: 'https://example.com/', href: 'https://example.com/' },
      { text: '<script>x</script>' },
    ]);
  });

  it('stops a URL at a quote so no attribute can be smuggled into the link', () => {
    const parts = autolink('https://example.com/"onmouseover="alert(1)');
    expect(links(parts)).toEqual([{ text: 'https://example.com/', href: 'https://example.com/' }]);
    expect(joined(parts)).toBe('https://example.com/"onmouseover="alert(1)');
  });

  it('gives every link an http: or https: href', () => {
    const parts = autolink('http://a.example javascript:x https://b.example data:x HTTP://C.EXAMPLE');
    expect(links(parts).map((p) => new URL(p.href!).protocol)).toEqual(['http:', 'https:', 'http:']);
  });

  it('returns no parts for empty text', () => {
    expect(autolink('')).toEqual([]);
  });
});
