import type { ConversationRatingDto } from '@confab/sdk';

import type { I18n } from '../../i18n/index.js';

type ScoreKey = `rating${1 | 2 | 3 | 4 | 5}`;

/** The visitor's rating as the visitor details show it: "4/5 · Good — “quick and kind”". */
export function ratingText(i18n: I18n, rating: ConversationRatingDto): string {
  const score = Math.min(5, Math.max(1, Math.round(rating.score)));
  const words = `${score}/5 · ${i18n.t(`rating${score}` as ScoreKey)}`;
  return rating.comment ? `${words} — “${rating.comment}”` : words;
}
