export interface Faq {
  id: string;
  /**
   * Words or phrases that point at this answer. A word of 4+ letters also matches its longer
   * forms ("open" matches "opening"); a phrase ("how much") counts double.
   */
  keywords: readonly string[];
  answer: string;
}

/** What the example shop answers without a person. Replace with your own. */
export const DEFAULT_FAQS: readonly Faq[] = [
  {
    id: 'hours',
    keywords: ['opening hours', 'open', 'hours', 'closed', 'close', 'closing', 'weekend', 'saturday', 'sunday', 'holiday'],
    answer: 'We are open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Lisbon time). Messages sent outside those hours are answered the next working day.',
  },
  {
    id: 'pricing',
    keywords: ['how much', 'price', 'pricing', 'cost', 'plan', 'plans', 'subscription', 'fee', 'expensive', 'cheap'],
    answer: 'Plans start at €9/month (Starter), €29/month (Team) and €99/month (Business); paying yearly saves two months. Every plan has a 14-day free trial.',
  },
  {
    id: 'contact',
    keywords: ['contact', 'email', 'e-mail', 'phone', 'call', 'address', 'located', 'location', 'office', 'reach you'],
    answer: 'You can write to support@example.com or call +351 210 000 000 on weekdays, 9:00–18:00. Our office is at Rua do Exemplo 1, Lisbon.',
  },
  {
    id: 'shipping',
    keywords: ['shipping', 'ship', 'delivery', 'deliver', 'tracking', 'track'],
    answer: 'Orders ship within 2 working days and arrive in 3–5 days within the EU. The tracking link comes by email as soon as the parcel leaves.',
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

function score(faq: Faq, words: readonly string[], padded: string): number {
  let total = 0;
  for (const keyword of faq.keywords) {
    const k = normalize(keyword);
    if (k.includes(' ')) {
      if (padded.includes(` ${k} `)) total += 2;
    } else if (words.some((w) => w === k || (k.length >= 4 && w.startsWith(k)))) {
      total += 1;
    }
  }
  return total;
}

/**
 * The FAQ that best fits a visitor's message (most keywords; the first in the table on a tie),
 * or null when none does.
 * @example matchFaq('What are your opening hours?')?.id // 'hours'
 */
export function matchFaq(text: string, faqs: readonly Faq[] = DEFAULT_FAQS): Faq | null {
  const normalized = normalize(text);
  const words = normalized.split(' ');
  const padded = ` ${normalized} `;
  let best: Faq | null = null;
  let bestScore = 0;
  for (const faq of faqs) {
    const s = score(faq, words, padded);
    if (s > bestScore) {
      best = faq;
      bestScore = s;
    }
  }
  return best;
}
