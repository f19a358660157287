import type { ChatClient, SupportConversationDto } from '@confab/sdk';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

const LINK = /^#conversation=([0-9a-f-]{36})$/i;

/**
 * Links into the inbox: `…/inbox#conversation=<id>` (agents' notification mails) opens that
 * conversation once the agent is signed in, then takes the hash off the address (keeping the
 * rest), so a reload or the back button does not open it again. Also on `hashchange`, for a link
 * followed while the inbox is already open.
 */
export class InboxDeepLink implements ReactiveController {
  private pending: string | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly client: () => ChatClient | null,
    private readonly ready: () => boolean,
    private readonly open: (conversation: SupportConversationDto) => Promise<void>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.read();
    window.addEventListener('hashchange', this.read);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.read);
  }

  /** After each render: the agent may have just signed in. */
  hostUpdated(): void {
    const id = this.pending;
    const client = this.client();
    if (!id || !client || !this.ready()) return;
    this.pending = null;
    // Another app's or a deleted conversation: the inbox stays as it is.
    client.support
      .get(id)
      .then((conversation) => this.open(conversation))
      .catch(() => undefined);
  }

  private readonly read = () => {
    const id = LINK.exec(location.hash)?.[1];
    if (!id) return;
    this.pending = id;
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    this.hostUpdated();
  };
}
