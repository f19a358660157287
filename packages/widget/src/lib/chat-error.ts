import { ChatError } from '@confab/sdk';

/** Whatever was thrown, as the `ChatError` the widget reports (anything unexpected is `internal`). */
export function asChatError(err: unknown): ChatError {
  return err instanceof ChatError ? err : new ChatError('internal', err instanceof Error ? err.message : String(err), 0);
}
