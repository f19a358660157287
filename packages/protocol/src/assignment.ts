/**
 * How new support conversations find an agent: nobody picks them (`off`, agents claim from the
 * queue), each goes to the next online agent in turn (`round_robin`: the one assigned longest
 * ago), or to the online agent with the fewest open conversations, up to `limit` each (`least_busy`).
 */
export type AssignmentMode = 'off' | 'round_robin' | 'least_busy';
export const ASSIGNMENT_MODES = ['off', 'round_robin', 'least_busy'] as const satisfies readonly AssignmentMode[];

/** Bounds of the assignment settings, shared by the server's validation and the inbox form. */
export const ASSIGNMENT_LIMITS = {
  /** Open and pending conversations one agent may hold under `least_busy`. */
  limitMin: 1,
  limitMax: 1000,
  limitDefault: 10,
  /** Minutes an agent may be away or offline before their open conversations go back to the queue. */
  requeueMin: 1,
  requeueMax: 1440,
} as const;

/** The app's auto-assignment (part of its settings). */
export interface AssignmentSettingsDto {
  mode: AssignmentMode;
  /** `least_busy`: the most open and pending conversations an agent is given (default 10). */
  limit?: number;
  /**
   * An agent away or offline this long loses their open conversations to the queue (then assigned
   * again by `mode`); null or absent: they keep them.
   */
  requeueAfterMinutes?: number | null;
}

/** `GET /v1/support/assignment` and `PUT`'s reply: the settings with their defaults filled in. */
export interface AssignmentDto {
  mode: AssignmentMode;
  limit: number;
  requeueAfterMinutes: number | null;
}
