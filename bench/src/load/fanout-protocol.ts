// What the fan-out fleet (`fanout.ts`) and its generator processes (`fanout-members.ts`) say to
// each other over IPC.
import type { AnswerOf } from './workers.js';

/** A room member as one generator process opens it. */
export interface MemberSpec {
  url: string;
  /** Confab's app id and the member's access token (the baseline needs neither). */
  app?: string;
  token?: string;
  /** Receivers are summarized per group (e.g. same node vs other node). */
  group: string;
  /** Senders send the step's messages (in turn, within their process). */
  sender: boolean;
}

/** Sockets that keep connecting, joining the room, leaving it and disconnecting, in `lanes` loops per process. */
export interface ChurnSpec {
  url: string;
  app?: string;
  /** Access tokens used in turn (none for the baseline). */
  tokens: string[];
  roomId: string;
  lanes: number;
  /** How long a churning socket stays in the room, picked at random in this range. */
  holdMs: [number, number];
  localAddresses?: string[];
}

export interface ChurnTotals {
  cycles: number;
  errors: number;
  sampleError?: string;
}

export type FanoutRequest = { id: number } & (
  | { type: 'start'; run: string; worker: number; roomId: string; members: MemberSpec[] }
  | { type: 'clock' }
  | { type: 'begin'; step: number }
  | { type: 'send'; rate: number; durationMs: number }
  | { type: 'progress' }
  | { type: 'end' }
  | { type: 'counts'; clientIds: string[] }
  | { type: 'churn'; spec: ChurnSpec }
  | { type: 'churn-stop' }
  | { type: 'close' }
);

export type FanoutReply = { id: number; error?: string } & (
  | { type: 'start'; ready: number; ms: number }
  | { type: 'clock'; nowUs: number }
  | { type: 'begin' }
  | { type: 'send'; sent: number; startedUs: number; endedUs: number }
  | { type: 'progress'; delivered: number; total: number }
  | ({ type: 'end' } & StepPart)
  | { type: 'counts'; counts: number[] }
  | { type: 'churn' }
  | ({ type: 'churn-stop' } & ChurnTotals)
  | { type: 'close' }
);

/** What one process measured over a step. */
export interface StepPart {
  delivered: number;
  /** When its last delivery of the step arrived (µs, the shared clock); 0 when none did. */
  lastUs: number;
  /** Send→receive latencies (ms) by receiver group. */
  groups: Record<string, Float64Array>;
  /** ClientIds of this process's sends acknowledged during the step. */
  acked: string[];
  sendErrors: number;
  firstError?: string;
  /** Its own CPU time over the step. */
  cpuMs: number;
}

export type FanoutAnswer = AnswerOf<FanoutReply>;
