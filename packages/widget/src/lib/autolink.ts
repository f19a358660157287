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
    candidate = trimTrailing(candidate);
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

/** Drops sentence punctuation after a URL, but keeps a `)` that closes a `(` inside it. */
function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const trailing = url.match(TRAILING)?.[0];
    if (!trailing) return url;
    const last = url[url.length - 1];
    if (last === ')' && count(url, '(') >= count(url, ')')) return url;
    url = url.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
