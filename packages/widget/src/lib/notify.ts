/**
 * Tells a visitor (or agent) whose page is hidden that something arrived: a short chime (Web
 * Audio, so no media file and no CSP change) and the count in the document title until the
 * page is shown again.
 */
export class Notifier {
  private audio: AudioContext | null = null;
  private originalTitle: string | null = null;
  private count = 0;
  private readonly onVisible = () => {
    if (!document.hidden) this.reset();
  };

  constructor(private readonly title: (count: number) => string) {
    document.addEventListener('visibilitychange', this.onVisible);
  }

  /** Chimes always when asked; the title changes only while the page is hidden. */
  notify(options: { sound: boolean }): void {
    if (options.sound) this.chime();
    if (!document.hidden) return;
    this.originalTitle ??= document.title;
    this.count += 1;
    document.title = `${this.title(this.count)} · ${this.originalTitle}`;
  }

  dispose(): void {
    document.removeEventListener('visibilitychange', this.onVisible);
    this.reset();
    this.audio?.close().catch(() => undefined);
    this.audio = null;
  }

  private reset(): void {
    if (this.originalTitle !== null) document.title = this.originalTitle;
    this.originalTitle = null;
    this.count = 0;
  }

  private chime(): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const gain = ctx.createGain();
      gain.connect(ctx.destination);
      gain.gain.setValueAtTime(0.0001, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.45);
      for (const [i, freq] of [880, 1320].entries()) {
        const osc = ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start(ctx.currentTime + i * 0.12);
        osc.stop(ctx.currentTime + 0.45);
      }
    } catch {
      // no audio (autoplay policy, no device): the title still tells
    }
  }
}
