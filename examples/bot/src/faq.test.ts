import { describe, expect, it } from 'vitest';
import { DEFAULT_FAQS, type Faq, matchFaq } from './faq.js';

describe('matchFaq', () => {
  it.each([
    ['What are your opening hours?', 'hours'],
    ['are you OPEN on Saturdays', 'hours'],
    ['How much does it cost?', 'pricing'],
    ['Preços? What are the plans', 'pricing'],
    ['How can I contact you by phone?', 'contact'],
    ['Where are you located?', 'contact'],
    ['When will my order be delivered?', 'shipping'],
    ['I want my money back', 'refunds'],
  ])('answers "%s" with the %s entry', (text, id) => {
    expect(matchFaq(text)?.id).toBe(id);
  });

  it('answers nothing when no keyword fits', () => {
    expect(matchFaq('Hello?')).toBeNull();
    expect(matchFaq('My parcel arrived broken')).toBeNull();
    expect(matchFaq('')).toBeNull();
  });

  it('does not stretch short keywords into longer words', () => {
    const faqs: Faq[] = [{ id: 'fee', keywords: ['fee'], answer: 'x' }];
    expect(matchFaq('feedback welcome', faqs)).toBeNull();
    expect(matchFaq('is there a fee?', faqs)?.id).toBe('fee');
  });

  it('prefers the entry with more matching keywords, and the earlier one on a tie', () => {
    expect(matchFaq('What is the price of a call?')?.id).toBe('pricing');
    expect(matchFaq('opening hours and prices')?.id).toBe('hours');
    expect(DEFAULT_FAQS.map((f) => f.id)).toEqual(['hours', 'pricing', 'contact', 'shipping', 'refunds']);
  });
});
