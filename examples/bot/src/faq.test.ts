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
    expect(matchFaq('we fed the cat', faqs)).toBeNull();
    expect(matchFaq('feed me', faqs)).toBeNull();
    expect(matchFaq('what are the fees', faqs)?.id).toBe('fee');
  });

  it('answers "Do you sell tomato plants?" with nothing: "plan" is not the start of "plants"', () => {
    expect(matchFaq('Do you sell tomato plants?')).toBeNull();
    expect(matchFaq('Which plan is right for me?')?.id).toBe('pricing');
  });

  it('matches keywords as whole words, with regular endings but never as the start of another word', () => {
    const faqs: Faq[] = [{ id: 'cost', keywords: ['cost', 'close', 'plan'], answer: 'x' }];
    for (const text of ['a fancy costume', 'in the closet', 'our planet', 'tomato plants', 'plankton'])
      expect(matchFaq(text, faqs), text).toBeNull();
    for (const text of ['it costs', 'closing time', 'we closed', 'planned ahead', 'two plans'])
      expect(matchFaq(text, faqs)?.id, text).toBe('cost');
    expect(matchFaq('Are deliveries free?')?.id).toBe('shipping');
  });

  it('finds whole words in any script, not only ASCII', () => {
    const faqs: Faq[] = [{ id: 'price', keywords: ['цена', 'preço', '価格'], answer: 'x' }];
    expect(matchFaq('Какая цена?', faqs)?.id).toBe('price');
    expect(matchFaq('ценаметр', faqs)).toBeNull();
    expect(matchFaq('Qual é o PREÇO?', faqs)?.id).toBe('price');
    expect(matchFaq('precoce', faqs)).toBeNull();
    expect(matchFaq('価格 は?', faqs)?.id).toBe('price');
  });

  it('keeps multi-word keywords working, as whole words too', () => {
    const faqs: Faq[] = [{ id: 'price', keywords: ['how much', 'money back'], answer: 'x' }];
    expect(matchFaq('So, how much is it?', faqs)?.id).toBe('price');
    expect(matchFaq('I want my MONEY back!', faqs)?.id).toBe('price');
    expect(matchFaq('show muchness', faqs)).toBeNull();
    expect(matchFaq('money backpack', faqs)).toBeNull();
  });

  it('prefers the entry with more matching keywords, and the earlier one on a tie', () => {
    expect(matchFaq('What is the price of a call?')?.id).toBe('pricing');
    expect(matchFaq('opening hours and prices')?.id).toBe('hours');
    expect(DEFAULT_FAQS.map((f) => f.id)).toEqual(['hours', 'pricing', 'contact', 'shipping', 'refunds']);
  });
});
