import type { ReactiveControllerHost } from 'lit';
import type { Room, RoomState } from '@confab/sdk';
import { StoreController } from './store-controller.js';

const EMPTY: RoomState = Object.freeze({
  room: null,
  messages: [],
  hasOlder: false,
  watching: false,
  typing: [],
  receipts: {},
  presence: {},
  unreadCount: 0,
});

/** The live state of one SDK room for a Lit element (`controller.state`), re-rendering on change. */
export class RoomController extends StoreController<RoomState> {
  room: Room | null = null;

  constructor(host: ReactiveControllerHost) {
    super(host, EMPTY);
  }

  get state(): RoomState {
    return this.value;
  }

  setRoom(room: Room | null): void {
    this.room = room;
    this.use(room?.state ?? null);
  }
}
