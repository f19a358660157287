import type { AckDataOf, ClientToServerEvents, ErrorBody, EventInputOf, ServerToClientEvents } from '@confab/protocol';

import { ChatError } from '../errors.js';
import {
  ACK_TIMEOUT_MS,
  type ClientSocket,
  type ConnectionStatus,
  type SocketHooks,
  type SocketLink,
  type SocketTransport,
} from '../transport/socket.js';

/** What the tabs say to each other on the key's BroadcastChannel. */
type Wire =
  | { type: 'hello'; from: string }
  | { type: 'leader'; from: string; status: ConnectionStatus }
  | { type: 'status'; from: string; status: ConnectionStatus }
  | { type: 'want'; from: string; wanted: boolean }
  | { type: 'bye'; from: string }
  | { type: 'request'; from: string; id: number; event: keyof ClientToServerEvents; payload: unknown; timeoutMs: number }
  | { type: 'reply'; to: string; id: number; data?: unknown; error?: ErrorBody & { status: number } }
  | { type: 'event'; from: string; name: keyof ServerToClientEvents; payload: unknown }
  | { type: 'connected'; from: string };

interface Pending {
  resolve(data: unknown): void;
  reject(error: ChatError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Extra wait for a relayed request beyond the server's ack timeout (the hop between tabs). */
const RELAY_MARGIN_MS = 2_000;

const newTabId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * One Socket.IO connection per browser for every tab that shares a session key. The tab holding
 * the key's Web Lock leads: it owns the socket, runs the other tabs' requests on it and relays
 * every server event and status change to them over a BroadcastChannel. When it closes, the lock
 * passes to a waiting tab, which connects; every tab then rejoins its rooms with catch-up, as after
 * any reconnect. Room joins are counted per tab, so one tab leaving a room does not deafen another.
 */
export class TabSocket implements SocketLink {
  /** Web Locks and BroadcastChannel are both needed; without them each tab keeps its own socket. */
  static supported(): boolean {
    return typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && Boolean(navigator.locks);
  }

  private readonly tab = newTabId();
  private readonly channel: BroadcastChannel;
  private readonly abort = new AbortController();
  private real: SocketTransport | null = null;
  private leaderStatus: ConnectionStatus = 'idle';
  private wanted = false;
  private closed = false;
  private releaseLock: (() => void) | null = null;
  /** Leader only: tabs that want the connection, and which tabs watch each room. */
  private readonly wanting = new Set<string>();
  private readonly watchers = new Map<string, Set<string>>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly onPageHide = () => this.post({ type: 'bye', from: this.tab });

  constructor(
    key: string,
    private readonly createSocket: (hooks: SocketHooks) => SocketTransport,
    private readonly hooks: SocketHooks,
  ) {
    this.channel = new BroadcastChannel(`${key}:socket`);
    this.channel.onmessage = (e: MessageEvent<Wire>) => this.receive(e.data);
    navigator.locks
      .request(
        `${key}:socket`,
        { signal: this.abort.signal },
        () =>
          new Promise<void>((release) => {
            this.releaseLock = release;
            this.lead();
          }),
      )
      .catch(() => undefined); // aborted by close()
    addEventListener('pagehide', this.onPageHide);
    this.post({ type: 'hello', from: this.tab });
  }

  get primary(): boolean {
    return this.real !== null;
  }

  get connected(): boolean {
    return this.real ? this.real.connected : this.leaderStatus === 'online';
  }

  get socket(): ClientSocket | null {
    return this.real?.socket ?? null;
  }

  connect(): void {
    this.wanted = true;
    if (this.real) {
      this.wanting.add(this.tab);
      this.real.connect();
      this.hooks.status(this.real.connected ? 'online' : 'connecting');
    } else {
      this.post({ type: 'want', from: this.tab, wanted: true });
      this.hooks.status(this.leaderStatus === 'online' ? 'online' : 'connecting');
      if (this.leaderStatus === 'online') this.hooks.connected();
    }
  }

  disconnect(): void {
    const was = this.wanted;
    this.wanted = false;
    if (this.real) {
      this.wanting.delete(this.tab);
      this.forgetTab(this.tab);
      if (!this.wanting.size) this.real.disconnect();
    } else if (was) {
      this.post({ type: 'want', from: this.tab, wanted: false });
    }
    this.hooks.status('idle');
  }

  async request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: EventInputOf<E>,
    timeoutMs = ACK_TIMEOUT_MS,
  ): Promise<AckDataOf<E>> {
    if (this.real) return this.serve(this.tab, event, payload, timeoutMs) as Promise<AckDataOf<E>>;
    if (this.leaderStatus !== 'online') throw new ChatError('unavailable', 'Not connected', 0);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChatError('unavailable', `No answer to ${event} within ${timeoutMs} ms`, 0));
      }, timeoutMs + RELAY_MARGIN_MS);
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      this.post({ type: 'request', from: this.tab, id, event, payload, timeoutMs });
    });
  }

  tokenRefreshed(token: string): void {
    // Every tab adopts the same tokens from the shared store; the leader hands them to the server.
    this.real?.tokenRefreshed(token);
  }

  identityChanged(): void {
    this.real?.identityChanged();
  }

  close(): void {
    if (this.closed) return;
    this.disconnect();
    this.closed = true;
    this.post({ type: 'bye', from: this.tab });
    removeEventListener('pagehide', this.onPageHide);
    this.failPending('The client was closed');
    this.real?.close();
    this.real = null;
    this.abort.abort();
    this.releaseLock?.();
    this.channel.close();
  }

  /** This tab got the lock: it opens the socket for every tab that wants one. */
  private lead(): void {
    if (this.closed) return this.releaseLock?.();
    this.failPending('The tab holding the connection went away');
    this.real = this.createSocket({
      status: (status) => {
        this.leaderStatus = status;
        this.post({ type: 'status', from: this.tab, status });
        if (this.wanted) this.hooks.status(status);
      },
      event: (name, payload) => {
        this.post({ type: 'event', from: this.tab, name, payload });
        if (this.wanted) this.hooks.event(name, payload);
      },
      connected: () => {
        // A new server socket is in no room yet: every tab rejoins (and is counted again).
        this.watchers.clear();
        this.post({ type: 'connected', from: this.tab });
        if (this.wanted) this.hooks.connected();
      },
    });
    if (this.wanted) this.wanting.add(this.tab);
    this.post({ type: 'leader', from: this.tab, status: 'idle' });
    if (this.wanting.size) this.real.connect();
  }

  private receive(msg: Wire): void {
    if (this.closed || !msg || typeof msg !== 'object') return;
    if (this.real) this.receiveAsLeader(msg);
    else this.receiveAsFollower(msg);
  }

  private receiveAsLeader(msg: Wire): void {
    switch (msg.type) {
      case 'hello':
        this.post({ type: 'leader', from: this.tab, status: this.leaderStatus });
        break;
      case 'want':
        if (msg.wanted) this.wanting.add(msg.from);
        else {
          this.wanting.delete(msg.from);
          this.forgetTab(msg.from);
        }
        if (this.wanting.size) this.real!.connect();
        else this.real!.disconnect();
        break;
      case 'bye':
        this.wanting.delete(msg.from);
        this.forgetTab(msg.from);
        if (!this.wanting.size) this.real!.disconnect();
        break;
      case 'request':
        this.serve(msg.from, msg.event, msg.payload as never, msg.timeoutMs).then(
          (data) => this.post({ type: 'reply', to: msg.from, id: msg.id, data }),
          (err: unknown) => this.post({ type: 'reply', to: msg.from, id: msg.id, error: wireError(err) }),
        );
        break;
      default:
        break; // 'leader' from a tab that just lost the lock, and what followers hear: not ours
    }
  }

  private receiveAsFollower(msg: Wire): void {
    switch (msg.type) {
      case 'leader':
        this.failPending('The tab holding the connection went away');
        this.setLeaderStatus(msg.status);
        if (this.wanted) this.post({ type: 'want', from: this.tab, wanted: true });
        break;
      case 'status':
        this.setLeaderStatus(msg.status);
        break;
      case 'event':
        if (this.wanted) this.hooks.event(msg.name, msg.payload);
        break;
      case 'connected':
        this.leaderStatus = 'online';
        if (this.wanted) this.hooks.connected();
        break;
      case 'reply': {
        if (msg.to !== this.tab) return;
        const pending = this.pending.get(msg.id);
        if (!pending) return;
        this.pending.delete(msg.id);
        clearTimeout(pending.timer);
        if (msg.error) pending.reject(new ChatError(msg.error.code, msg.error.message, msg.error.status, msg.error.details));
        else pending.resolve(msg.data);
        break;
      }
      default:
        break;
    }
  }

  /** Leader: runs one tab's request on the socket; room joins and leaves are counted per tab. */
  private async serve<E extends keyof ClientToServerEvents>(
    from: string,
    event: E,
    payload: EventInputOf<E>,
    timeoutMs: number,
  ): Promise<unknown> {
    const real = this.real;
    if (!real) throw new ChatError('unavailable', 'Not connected', 0);
    const roomId = (payload as { roomId?: unknown } | null)?.roomId;
    if (event === 'room:join' && typeof roomId === 'string') {
      const result = await real.request(event, payload, timeoutMs);
      const tabs = this.watchers.get(roomId) ?? new Set<string>();
      tabs.add(from);
      this.watchers.set(roomId, tabs);
      return result;
    }
    if (event === 'room:leave' && typeof roomId === 'string') {
      const tabs = this.watchers.get(roomId);
      tabs?.delete(from);
      if (tabs?.size) return { roomId }; // another tab still follows it
      this.watchers.delete(roomId);
    }
    return real.request(event, payload, timeoutMs);
  }

  private forgetTab(tab: string): void {
    for (const tabs of this.watchers.values()) tabs.delete(tab);
  }

  private setLeaderStatus(status: ConnectionStatus): void {
    this.leaderStatus = status;
    if (!this.wanted) return;
    // The leader is idle until it hears that we want the connection: we are connecting meanwhile.
    this.hooks.status(status === 'idle' ? 'connecting' : status);
  }

  private failPending(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new ChatError('unavailable', reason, 0));
      this.pending.delete(id);
    }
  }

  private post(msg: Wire): void {
    if (this.closed) return;
    try {
      this.channel.postMessage(msg);
    } catch {
      // a payload that cannot be cloned: the requester times out and retries
    }
  }
}

function wireError(err: unknown): ErrorBody & { status: number } {
  const error = err instanceof ChatError ? err : new ChatError('internal', String(err), 0);
  return { code: error.code, message: error.message, status: error.status, ...(error.details ? { details: error.details } : {}) };
}
