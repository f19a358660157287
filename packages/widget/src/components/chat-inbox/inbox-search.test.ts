import { describe, expect, it } from 'vitest';

import { highlight, snippet, wordsOf } from './inbox-search.js';

describe('inbox search text', () => {
  it('takes the words of a query without the punctuation around them', () => {
    expect(wordsOf('  "refund"  order? ')).toEqual(['refund', 'order']);
    expect(wordsOf("rita@example.com it's")).toEqual(['rita@example.com', 'it', 's']);
    expect(wordsOf('!! &&')).toEqual([]);
  });

  it('starts a long message a little before its first match', () => {
    const text = `${'word '.repeat(30)}the refund arrived today`;
    const cut = snippet(text, ['refund']);
    expect(cut.startsWith('…')).toBe(true);
    expect(cut).toContain('the refund arrived today');
    expect(cut.length).toBeLessThan(text.length);
    expect(snippet('short refund text', ['refund'])).toBe('short refund text');
    expect(snippet('no match here', ['refund'])).toBe('no match here');
  });

  it('marks every occurrence of the words, any case, regex characters taken literally', () => {
    const parts = highlight('Refund? refunds (a.b)', ['refund', 'a.b']);
    const marked = parts.filter((p) => typeof p !== 'string').map((p) => (p as { values: unknown[] }).values[0]);
    expect(marked).toEqual(['Refund', 'refund', 'a.b']);
    expect(highlight('axb', ['a.b'])).toEqual(['axb']);
  });
});
