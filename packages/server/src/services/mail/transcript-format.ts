/** One line of a transcript: a message or a system event, with who and when. */
export interface TranscriptLine {
  at: Date;
  author: string;
  /** Agents are marked so the reader knows who answered. */
  staff: boolean;
  system: boolean;
  deleted: boolean;
  text: string;
  attachments: { name: string; url: string | null }[];
}

export interface TranscriptDoc {
  appName: string;
  conversationId: string;
  startedAt: Date;
  lines: TranscriptLine[];
  /** More messages than a transcript carries: the first ones are left out. */
  truncated: boolean;
}

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function transcriptSubject(doc: TranscriptDoc): string {
  return `Transcript of your conversation with ${doc.appName}`;
}

/** The plain-text part: one line per message, oldest first; attachments as names with links. */
export function transcriptText(doc: TranscriptDoc): string {
  const out = [`${transcriptSubject(doc)}`, `Conversation ${doc.conversationId}, started ${when(doc.startedAt)}`, ''];
  if (doc.truncated) out.push('(Earlier messages are left out: the conversation is longer than a transcript carries.)', '');
  for (const line of doc.lines) {
    if (line.system) {
      out.push(`-- ${line.text} (${when(line.at)}) --`);
      continue;
    }
    const who = line.staff ? `${line.author} (agent)` : line.author;
    const body = line.deleted ? '(message deleted)' : line.text;
    const [first = '', ...rest] = body.split(/\r?\n/);
    out.push(`[${when(line.at)}] ${who}: ${first}`, ...rest.map((r) => `    ${r}`));
    for (const a of line.attachments) out.push(`    Attachment: ${a.name}${a.url ? ` <${a.url}>` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

/** The HTML part: the same lines, every piece of user text escaped. */
export function transcriptHtml(doc: TranscriptDoc): string {
  const rows = doc.lines.map((line) => {
    if (line.system) return `<p style="color:#666;text-align:center">${escapeHtml(line.text)} <small>${when(line.at)}</small></p>`;
    const who = escapeHtml(line.staff ? `${line.author} (agent)` : line.author);
    const body = line.deleted ? '<em>(message deleted)</em>' : escapeHtml(line.text).replace(/\r?\n/g, '<br>');
    const files = line.attachments
      .map((a) => `<br>📎 ${a.url ? `<a href="${escapeHtml(a.url)}">${escapeHtml(a.name)}</a>` : escapeHtml(a.name)}`)
      .join('');
    return `<p><strong>${who}</strong> <small style="color:#666">${when(line.at)}</small><br>${body}${files}</p>`;
  });
  const note = doc.truncated ? '<p><em>Earlier messages are left out: the conversation is longer than a transcript carries.</em></p>' : '';
  return (
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<h1 style="font-size:1.2em">${escapeHtml(transcriptSubject(doc))}</h1>` +
    `<p style="color:#666">Conversation ${escapeHtml(doc.conversationId)}, started ${when(doc.startedAt)}</p>` +
    `${note}${rows.join('')}</body></html>`
  );
}
