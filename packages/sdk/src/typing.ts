import type { TypingEvent } from '@confab/protocol';

const SEND_EVERY_MS = 2_500;
const IDLE_MS = 4_000;
const SHOWN_MS = 6_000;

/**
 * Typing indicators of one room, both ways: your keystrokes become at most one `typing: true`
 * every 2.5 s and a `typing: false` after 4 s of quiet (or on send); others' indicators fade
 * after 6 s without news.
 */
export class Typing {
  private readonly shown = new Map<string, ReturnType<typeof setTimeout>>();
  private sentAt = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly changed: (userIds: string[]) => void,
  ) {}

  keystroke(): void {
    const now = Date.now();
    if (now - this.sentAt > SEND_EVERY_MS) {
      this.sentAt = now;
      this.send(true);
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), IDLE_MS);
  }

  stop(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (!this.sentAt) return;
    this.sentAt = 0;
    this.send(false);
  }

  show({ userId, typing }: Pick<TypingEvent, 'userId' | 'typing'>): void {
    const current = this.shown.get(userId);
    if (current) clearTimeout(current);
    this.shown.delete(userId);
    if (typing)
      this.shown.set(
        userId,
        setTimeout(() => this.show({ userId, typing: false }), SHOWN_MS),
      );
    this.changed([...this.shown.keys()]);
  }
}
