import { LIMITS } from '@confab/protocol';

import { ChatError } from './errors.js';
import type { Unsent } from './room-state.js';

/** A send the server would refuse for its size, refused locally instead (it never blocks the send queue). */
export function tooLong(unsent: Unsent): ChatError | null {
  if (unsent.text.length > LIMITS.messageTextMax) {
    return new ChatError(
      'validation_failed',
      `A message holds at most ${LIMITS.messageTextMax} characters (this one has ${unsent.text.length})`,
      422,
      [{ path: 'text', message: `longer than ${LIMITS.messageTextMax} characters` }],
    );
  }
  if (unsent.attachments.length > LIMITS.attachmentsPerMessageMax) {
    return new ChatError('validation_failed', `A message carries at most ${LIMITS.attachmentsPerMessageMax} attachments`, 422, [
      { path: 'attachments', message: `more than ${LIMITS.attachmentsPerMessageMax}` },
    ]);
  }
  return null;
}
