import { CONTINUITY_STRINGS, type MailLocale } from './mail-strings.js';

/** One agent message the visitor has not read. */
export interface ContinuityLine {
  at: Date;
  author: string;
  text: string;
  attachments: string[];
}

export interface ContinuityDoc {
  appName: string;
  locale: MailLocale;
  /** The visitor's IANA time zone, when their browser told it; times are shown in UTC otherwise. */
  timeZone: string | null;
  lines: ContinuityLine[];
  /** Back to the chat (`#confab-open` included), or null when no page is known. */
  chatUrl: string | null;
  unsubscribeUrl: string | null;
}

/** The hash the widget opens itself on (widget/src/). */
export const OPEN_HASH = 'confab-open';

/** The page to go back to: the app's chat page, else the page the visitor wrote from; with `#confab-open`. */
export function chatLinkOf(chatUrl: string | null, pageUrl: string | null | undefined): string | null {
  for (const candidate of [chatUrl, pageUrl]) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
      url.hash = OPEN_HASH;
      return url.toString();
    } catch {
      // Stored before validation tightened, or by a host bypassing it: try the next one.
    }
  }
  return null;
}

function when(doc: ContinuityDoc, at: Date): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(doc.locale, { ...options, timeZone: doc.timeZone ?? 'UTC' }).format(at);
  } catch {
    // A zone this runtime's ICU does not know.
    return `${new Intl.DateTimeFormat(doc.locale, { ...options, timeZone: 'UTC' }).format(at)} UTC`;
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function continuitySubject(doc: ContinuityDoc): string {
  const strings = CONTINUITY_STRINGS[doc.locale];
  return strings.subject(doc.lines.at(-1)?.author ?? strings.agent, doc.appName);
}

/** The plain-text part: the marker, the new messages, the way back, the unsubscribe footer. */
export function continuityText(doc: ContinuityDoc): string {
  const s = CONTINUITY_STRINGS[doc.locale];
  const out = [s.marker, '', s.heading(doc.appName), ''];
  for (const line of doc.lines) {
    out.push(`${line.author} · ${when(doc, line.at)}`);
    if (line.text) out.push(...line.text.split(/\r?\n/));
    for (const name of line.attachments) out.push(`  ${s.attachment}: ${name}`);
    out.push('');
  }
  out.push(doc.chatUrl ? `${s.replyOrChat} ${doc.chatUrl}` : s.replyOnly);
  out.push('', '-- ', s.why(doc.appName));
  if (doc.unsubscribeUrl) out.push(`${s.unsubscribe}: ${doc.unsubscribeUrl}`);
  return `${out.join('\n')}\n`;
}

/** The HTML part: the same content, every piece of text escaped. */
export function continuityHtml(doc: ContinuityDoc): string {
  const s = CONTINUITY_STRINGS[doc.locale];
  const rows = doc.lines.map((line) => {
    const body = escapeHtml(line.text).replace(/\r?\n/g, '<br>');
    const files = line.attachments.map((name) => `<br>📎 ${escapeHtml(s.attachment)}: ${escapeHtml(name)}`).join('');
    return (
      `<p><strong>${escapeHtml(line.author)}</strong> <small style="color:#666">${escapeHtml(when(doc, line.at))}</small>` +
      `<br>${body}${files}</p>`
    );
  });
  const back = doc.chatUrl
    ? `<p>${escapeHtml(s.replyOrChat)} <a href="${escapeHtml(doc.chatUrl)}">${escapeHtml(s.chatLink)}</a></p>`
    : `<p>${escapeHtml(s.replyOnly)}</p>`;
  const unsubscribe = doc.unsubscribeUrl ? ` <a href="${escapeHtml(doc.unsubscribeUrl)}">${escapeHtml(s.unsubscribe)}</a>` : '';
  return (
    `<!doctype html><html lang="${doc.locale}"><body style="font-family:sans-serif">` +
    `<p style="color:#999;font-size:0.85em">${escapeHtml(s.marker)}</p>` +
    `<h1 style="font-size:1.2em">${escapeHtml(s.heading(doc.appName))}</h1>` +
    `${rows.join('')}${back}` +
    `<hr><p style="color:#666;font-size:0.85em">${escapeHtml(s.why(doc.appName))}${unsubscribe}</p></body></html>`
  );
}
