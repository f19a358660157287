/** `POST /v1/support/conversations/:id/transcript`: where to send the conversation's transcript. */
export interface TranscriptInput {
  /**
   * The address to send it to. Optional when the visitor gave an email (it goes there); a visitor
   * may name another address of their own (throttled), an agent any address.
   */
  email?: string;
}

/** The reply to a transcript request: the mail is queued in the durable outbox, sent soon after. */
export interface TranscriptQueuedDto {
  queued: true;
  /** The address the transcript goes to. */
  to: string;
}
