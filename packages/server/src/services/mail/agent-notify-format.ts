/** A conversation waiting for an answer, as a notification lists it. */
export interface WaitingConversation {
  roomId: string;
  visitorName: string;
  /** The visitor message that started the wait. */
  firstText: string;
  waitingSince: Date;
}

export interface NotificationDoc {
  appName: string;
  conversations: WaitingConversation[];
  /** The agents' inbox (settings.inboxUrl); null: no links. */
  inboxUrl: string | null;
  unsubscribeUrl: string | null;
}

/** A digest lists this many conversations, then says how many more are waiting. */
export const DIGEST_LISTED = 25;
const TEXT_MAX = 300;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

// A name goes into a header: no line breaks or other control characters, and not a paragraph.
const oneLine = (text: string, max: number) => {
  const flat = text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const excerpt = (text: string) => (text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text);

/** The inbox link of a conversation: `<inboxUrl>#conversation=<id>` (any fragment of the setting replaced). */
export function conversationLink(inboxUrl: string | null, roomId: string): string | null {
  return inboxUrl ? `${inboxUrl.replace(/#.*$/, '')}#conversation=${encodeURIComponent(roomId)}` : null;
}

export function notificationSubject(doc: NotificationDoc): string {
  const [only] = doc.conversations;
  return doc.conversations.length === 1 && only
    ? `New conversation waiting: ${oneLine(only.visitorName, 80) || 'Visitor'}`
    : `${doc.conversations.length} conversations are waiting`;
}

const intro = (doc: NotificationDoc) =>
  doc.conversations.length === 1
    ? `A visitor of ${doc.appName} is waiting for an answer, and no agent is online.`
    : `${doc.conversations.length} conversations of ${doc.appName} are waiting for an answer, and no agent is online.`;

const footer = (doc: NotificationDoc) => `You get this as an agent of ${doc.appName} while no agent is online.`;

/** The plain-text part: each listed conversation with its visitor, when it started waiting, its first message and link. */
export function notificationText(doc: NotificationDoc): string {
  const out = [intro(doc), ''];
  for (const c of doc.conversations.slice(0, DIGEST_LISTED)) {
    out.push(`${oneLine(c.visitorName, 80) || 'Visitor'} (conversation ${c.roomId}), waiting since ${when(c.waitingSince)}:`);
    out.push(
      ...excerpt(c.firstText)
        .split(/\r?\n/)
        .map((line) => `  > ${line}`),
    );
    const link = conversationLink(doc.inboxUrl, c.roomId);
    if (link) out.push(`  Open: ${link}`);
    out.push('');
  }
  const more = doc.conversations.length - DIGEST_LISTED;
  if (more > 0) out.push(`… and ${more} more.${doc.inboxUrl ? ` See them all: ${doc.inboxUrl}` : ''}`, '');
  out.push('--', footer(doc));
  if (doc.unsubscribeUrl) out.push(`Stop these emails: ${doc.unsubscribeUrl}`);
  return `${out.join('\n')}\n`;
}

/** The HTML part: the same, every piece of user text escaped. */
export function notificationHtml(doc: NotificationDoc): string {
  const items = doc.conversations.slice(0, DIGEST_LISTED).map((c) => {
    const link = conversationLink(doc.inboxUrl, c.roomId);
    const name = escapeHtml(oneLine(c.visitorName, 80) || 'Visitor');
    const open = link ? `<br><a href="${escapeHtml(link)}">Open the conversation</a>` : '';
    return (
      `<li style="margin-bottom:1em"><strong>${name}</strong> <small style="color:#666">waiting since ${when(c.waitingSince)}` +
      ` · conversation ${escapeHtml(c.roomId)}</small><br>` +
      `<span style="white-space:pre-wrap">${escapeHtml(excerpt(c.firstText))}</span>${open}</li>`
    );
  });
  const more = doc.conversations.length - DIGEST_LISTED;
  const moreLine =
    more > 0 ? `<p>… and ${more} more.${doc.inboxUrl ? ` <a href="${escapeHtml(doc.inboxUrl)}">See them all</a>` : ''}</p>` : '';
  const stop = doc.unsubscribeUrl ? ` <a href="${escapeHtml(doc.unsubscribeUrl)}">Stop these emails</a>` : '';
  return (
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<p>${escapeHtml(intro(doc))}</p><ul style="padding-left:1.2em">${items.join('')}</ul>${moreLine}` +
    `<p style="color:#666;font-size:small">${escapeHtml(footer(doc))}${stop}</p></body></html>`
  );
}
