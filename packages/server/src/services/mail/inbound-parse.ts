/**
 * What a visitor wrote in an email reply, without what their mail program added: our own mail
 * below the `##- … -##` marker, quoted history, signatures. Pure functions on the text part.
 */

/** Our marker in any language (continuity mails), quoted or not. */
const MARKER = /^[>\s]*##-.*-##\s*$/;
/** "On <date>, <name> wrote:", and the Portuguese and Spanish forms. */
const QUOTE_HEADER = /^[>\s]*(?:on|em|el)\s.*\s(?:wrote|escreveu|escribió)\s*:\s*$/i;
const QUOTE_HEADER_START = /^\s*(?:on|em|el)\s/i;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(?:original message|mensagem original|mensaje original)\s*-{2,}\s*$/i;
/** Outlook's header block: a From line, a Sent/Date line shortly after. */
const HEADER_FROM = /^\s*\*?(?:from|de)\s*:\*?\s/i;
const HEADER_SENT = /^\s*\*?(?:sent|date|enviado|enviada em|data|fecha)\s*:/i;
const SIGNATURE = /^--\s?$/;
/** Mobile mail programs' own line ("Sent from my iPhone", "Get Outlook for Android"). */
const SENT_FROM =
  /^\s*(?:sent from my|sent from (?:outlook|mail) for|get outlook for|enviado do meu|enviado desde mi|enviado de mi|obter o outlook para|obtener outlook para)\b/i;
const QUOTED = /^\s*>/;
const RULE = /^\s*(?:_{5,}|-{5,})\s*$/;

const isBlank = (line: string) => line.trim() === '';

interface History {
  /** The first line that is no longer the reply's own text. */
  at: number;
  /** Lines of an "On … wrote:" header (it may be wrapped over two); 0 for other kinds of history. */
  header: number;
}

/** Where quoted history or our own mail starts, or null. */
function historyStart(lines: string[]): History | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTE_HEADER.test(line)) return { at: i, header: 1 };
    // Wrapped by the mail program ("On Tue, 1 Dec 2026 at 10:00, Ana Agent\n<ana@…> wrote:").
    if (QUOTE_HEADER_START.test(line) && QUOTE_HEADER.test(`${line} ${lines[i + 1] ?? ''}`)) return { at: i, header: 2 };
    if (MARKER.test(line) || ORIGINAL_MESSAGE.test(line)) return { at: i, header: 0 };
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 4).some((next) => HEADER_SENT.test(next))) return { at: i, header: 0 };
  }
  return null;
}

function signatureStart(lines: string[]): number {
  return lines.findIndex((line) => SIGNATURE.test(line) || SENT_FROM.test(line));
}

/** Drops trailing quoted lines, rules and blank lines. */
function trimTail(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0) {
    const line = lines[end - 1] ?? '';
    if (!isBlank(line) && !QUOTED.test(line) && !RULE.test(line)) break;
    end--;
  }
  return lines.slice(0, end);
}

/** At most `max` UTF-16 units, not splitting a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return text.slice(0, cut).trimEnd();
}

/** The reply's own text, trimmed; empty when the mail held nothing but history and signature. */
export function replyText(text: string, max = Number.POSITIVE_INFINITY): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .split('\n');
  const history = historyStart(lines);
  let own = history ? lines.slice(0, history.at) : lines;
  if (history?.header && own.every((line) => isBlank(line) || QUOTED.test(line))) {
    // Written below the quote (bottom-posting): the history is the header and the `>` lines.
    own = lines.filter((line, i) => (i < history.at || i >= history.at + history.header) && !QUOTED.test(line));
  }
  const signature = signatureStart(own);
  if (signature >= 0) own = own.slice(0, signature);
  return capText(trimTail(own).join('\n').trim(), max);
}
