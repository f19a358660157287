/** A piece of message text: plain, or a link that is safe to follow. */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

const URL_LIKE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * Splits text into plain parts and http(s) links. Only `http:` and `https:` URLs become links
 * (never `javascript:`, `data:` or others); everything is rendered as text by the caller.
 */
export function autolink(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_LIKE)) {
    let candidate = match[0];
    // Keep a closing bracket that belongs to the URL, drop sentence punctuation after it.
    const trailing = candidate.match(TRAILING)?.[0] ?? '';
    if (trailing) candidate = candidate.slice(0, candidate.length - trailing.length);
    const href = safeHref(candidate);
    if (!href) continue;
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
