/** How long a tab's "I am showing the chat" counts without being said again. */
const STALE_MS = 30_000;

type Note = { tab: string; looking: boolean } | { tab: string; ask: true };

/**
 * Which tabs of this browser are showing the conversation to someone (page visible, chat open),
 * so that a new message makes one sound in the whole browser and none while someone is reading it.
 * Tabs say when that changes over a BroadcastChannel; a tab that closes says it stopped.
 */
export class TabAttention {
  private readonly tab = Math.random().toString(36).slice(2);
  private readonly channel: BroadcastChannel | null;
  private readonly others = new Map<string, number>();
  private looking = false;
  private beat: ReturnType<typeof setInterval> | null = null;
  private readonly onHide = () => this.tell(false);

  constructor(key: string) {
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`${key}:attention`);
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent<Note>) => this.hear(e.data);
      this.post({ tab: this.tab, ask: true });
    }
    addEventListener('pagehide', this.onHide);
  }

  /** This tab shows (true) or stops showing the conversation. */
  set(looking: boolean): void {
    if (looking === this.looking) return;
    this.looking = looking;
    this.tell(looking);
    if (this.beat) clearInterval(this.beat);
    // Said again while it lasts, so a tab that vanished without a word stops counting.
    this.beat = looking ? setInterval(() => this.tell(true), STALE_MS / 3) : null;
  }

  /** Someone sees the conversation in this tab or another. */
  anyoneLooking(): boolean {
    const now = Date.now();
    for (const [tab, until] of this.others) if (until < now) this.others.delete(tab);
    return this.looking || this.others.size > 0;
  }

  dispose(): void {
    this.set(false);
    removeEventListener('pagehide', this.onHide);
    this.channel?.close();
  }

  private hear(note: Note): void {
    if (!note || typeof note !== 'object' || note.tab === this.tab) return;
    if ('ask' in note) {
      if (this.looking) this.tell(true);
      return;
    }
    if (note.looking) this.others.set(note.tab, Date.now() + STALE_MS);
    else this.others.delete(note.tab);
  }

  private tell(looking: boolean): void {
    this.post({ tab: this.tab, looking });
  }

  private post(note: Note): void {
    try {
      this.channel?.postMessage(note);
    } catch {
      // the channel is closed: the tab is going away
    }
  }
}
