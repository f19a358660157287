export interface Faq {
  id: string;
  /**
   * Words or phrases that point at this answer, matched as whole words in any script. A word
   * also matches its regular English endings ("open": "opens", "opened", "opening"; "plan":
   * "plans", "planned"), never the start of another word ("plan" is not "plants"); a phrase
   * ("how much") matches those words in a row and counts double.
   */
  keywords: readonly string[];
  answer: string;
}

/** What the example shop answers without a person. Replace with your own. */
export const DEFAULT_FAQS: readonly Faq[] = [
  {
    id: 'hours',
    keywords: ['opening hours', 'open', 'hours', 'closed', 'close', 'closing', 'weekend', 'saturday', 'sunday', 'holiday'],
    answer:
      'We are open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Lisbon time). ' +
      'Messages sent outside those hours are answered the next working day.',
  },
  {
    id: 'pricing',
    keywords: ['how much', 'price', 'pricing', 'cost', 'plan', 'plans', 'subscription', 'fee', 'expensive', 'cheap'],
    answer:
      'Plans start at €9/month (Starter), €29/month (Team) and €99/month (Business); paying yearly saves two months. ' +
      'Every plan has a 14-day free trial.',
  },
  {
    id: 'contact',
    keywords: ['contact', 'email', 'e-mail', 'phone', 'call', 'address', 'located', 'location', 'office', 'reach you'],
    answer:
      'You can write to support@example.com or call +351 210 000 000 on weekdays, 9:00–18:00. Our office is at Rua do Exemplo 1, Lisbon.',
  },
  {
    id: 'shipping',
    keywords: ['shipping', 'ship', 'delivery', 'deliver', 'tracking', 'track'],
    answer:
      'Orders ship within 2 working days and arrive in 3–5 days within the EU. ' +
      'The tracking link comes by email as soon as the parcel leaves.',
  },
  {
    id: 'refunds',
    keywords: ['refund', 'return', 'money back', 'cancel'],
    answer: 'You can return anything within 30 days for a full refund: write your order number here and we will send you a return label.',
  },
];

/** Lower case, accents dropped, punctuation as spaces: "Horário?" and "horario" compare equal. */
function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** `keyword` with its regular English endings: plan → plans, planned, planning; close → closed, closing. */
function formsOf(keyword: string): Set<string> {
  const forms = new Set([keyword]);
  if (!/\p{L}$/u.test(keyword)) return forms;
  forms.add(`${keyword}s`);
  if (/(s|x|z|ch|sh|o)$/.test(keyword)) forms.add(`${keyword}es`);
  if (/[^aeiou]y$/.test(keyword)) forms.add(`${keyword.slice(0, -1)}ies`).add(`${keyword.slice(0, -1)}ied`);
  if (/ee$/.test(keyword)) return forms.add(`${keyword}ing`);
  if (/e$/.test(keyword)) return forms.add(`${keyword}d`).add(`${keyword.slice(0, -1)}ing`);
  forms.add(`${keyword}ed`).add(`${keyword}ing`);
  // A short final syllable doubles its consonant: plan → planned, ship → shipping.
  if (/(^|[^aeiou])[aeiou][^aeiouwxy]$/.test(keyword))
    forms.add(`${keyword}${keyword.slice(-1)}ed`).add(`${keyword}${keyword.slice(-1)}ing`);
  return forms;
}

/** Whether the words of `phrase` (in any of their forms) appear in a row in `words`. */
function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  const forms = phrase.map(formsOf);
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (words.slice(i, i + phrase.length).every((word, j) => forms[j]?.has(word))) return true;
  }
  return false;
}

function score(faq: Faq, words: readonly string[]): number {
  let total = 0;
  for (const keyword of faq.keywords) {
    const phrase = normalize(keyword).split(' ').filter(Boolean);
    if (phrase.length && containsPhrase(words, phrase)) total += phrase.length > 1 ? 2 : 1;
  }
  return total;
}

/**
 * The FAQ that best fits a visitor's message (most keywords; the first in the table on a tie),
 * or null when none does.
 * @example matchFaq('What are your opening hours?')?.id // 'hours'
 */
export function matchFaq(text: string, faqs: readonly Faq[] = DEFAULT_FAQS): Faq | null {
  // Words are runs of letters and digits (\p{L}\p{N}), so boundaries hold in every script.
  const words = normalize(text).split(' ').filter(Boolean);
  let best: Faq | null = null;
  let bestScore = 0;
  for (const faq of faqs) {
    const s = score(faq, words);
    if (s > bestScore) {
      best = faq;
      bestScore = s;
    }
  }
  return best;
}
