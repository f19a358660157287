import type { SupportConversationDto } from '@confab/sdk';
import { html } from 'lit';

import type { I18n } from '../../i18n/index.js';
import type { ComposerSubmit } from '../chat-composer/chat-composer.js';
import type { AgentSession } from './agent-session.js';
import type { AgentState } from './agent-state.js';
import { renderComposeSwitch } from './inbox-notes.js';
import { threadNames } from './inbox-views.js';

/**
 * The open conversation under its header: its labels, then the thread with the composer, which
 * replies to the visitor or (in note mode) writes a private note, with no attachments.
 */
export function renderConversationBody(i18n: I18n, s: AgentState, c: SupportConversationDto, session: AgentSession) {
  const client = session.client;
  const note = s.composing === 'note';
  const agents = s.availability?.agents ?? [];
  return html`<confab-inbox-labels
      .i18n=${i18n}
      .labels=${s.labels}
      .applied=${c.labels ?? []}
      .toggle=${(labelId: string, on: boolean) => session.toggleLabel(c, labelId, on)}
      .create=${(name: string) => session.createLabel(c, name)}
    ></confab-inbox-labels>
    <confab-thread
      exportparts="messages, message, composer, input, send-button"
      agent
      .i18n=${i18n}
      .room=${s.room}
      .me=${s.me?.id ?? null}
      .canned=${s.canned}
      .names=${threadNames(agents, c)}
      .send=${(input: ComposerSubmit) =>
        note
          ? session.notes.add(input.text)
          : s.room!.send(input.text, { attachments: input.attachments.map((a) => a.id), replyTo: input.replyTo })}
      .upload=${
        note
          ? null
          : (file: File, progress: (f: number) => void) =>
              client.uploads.upload(file, file.name, { onProgress: (sent, total) => progress(total ? sent / total : 0) })
      }
      .uploads=${client.uploads}
      .notes=${s.notes}
      ?noteMode=${note}
      .placeholder=${note ? i18n.t('notePlaceholder') : null}
      @confab-note-delete=${(e: CustomEvent<string>) => void session.notes.remove(e.detail).catch(() => undefined)}
      active
      >${renderComposeSwitch(i18n, s.composing, (mode) => session.notes.setComposing(mode))}</confab-thread
    >`;
}
