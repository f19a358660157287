import { initialRoomState, type Room, type RoomState } from '@confab/sdk';
import type { ReactiveControllerHost } from 'lit';

import { StoreController } from './store-controller.js';

/** The live state of one SDK room for a Lit element (`controller.state`), re-rendering on change. */
export class RoomController extends StoreController<RoomState> {
  room: Room | null = null;

  constructor(host: ReactiveControllerHost) {
    super(host, initialRoomState);
  }

  get state(): RoomState {
    return this.value;
  }

  setRoom(room: Room | null): void {
    this.room = room;
    this.use(room?.state ?? null);
  }
}
