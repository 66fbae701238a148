/**
 * The integer codes the matchmaking Lua scripts return (see each script's header), and the one function
 * that turns a failure code into an error class. Codes that are states rather than failures (MOVED,
 * SUPERSEDED...) are handled by the callers that expect them.
 */
import { ErrorCode } from "../../shared/errors.ts";
import { AppError, StaleFencingTokenError, StateConflictError } from "../errors.ts";

export const Code = {
  OK: 1,
  /** The ticket key does not exist (expired, or never in this queue). */
  MISSING: -1,
  /** The ticket was claimed into a match. */
  CLAIMED: -2,
  /** The ticket moved on to the worldwide queue. */
  MOVED: -3,
  /** A newer connection of the player owns the ticket. */
  SUPERSEDED: -4,
  /** The ticket was already removed. */
  LEFT: -5,
  ALREADY_QUEUED: -6,
  ALREADY_IN_MATCH: -7,
  /** The caller's fencing token is not the queue's current one. */
  STALE_FENCE: -8,
  /** A ticket the caller wanted is not queued any more. */
  TICKET_GONE: -9,
  /** A ticket (or tombstone) with this id already exists in the queue. */
  EXISTS: -10,
  /** A claim with a bad ticket count or a ticket twice. */
  BAD_GROUP: -11,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const NAMES = new Map<number, string>(Object.entries(Code).map(([k, v]) => [v, k]));

/** Name of a code for logs and metric labels. */
export function codeName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN(${code})`;
}

/** Maps a script's failure code to the error thrown for it. */
export function errorForCode(code: number, what = "queue operation"): AppError {
  switch (code) {
    case Code.ALREADY_QUEUED:
      return new StateConflictError(ErrorCode.ALREADY_QUEUED, "This player already has a ticket; leave the queue first");
    case Code.ALREADY_IN_MATCH:
    case Code.CLAIMED:
      return new StateConflictError(ErrorCode.ALREADY_IN_MATCH, "This player is in a match");
    case Code.STALE_FENCE:
      return new StaleFencingTokenError(`${what}: another matchmaker holds this queue now`);
    case Code.MISSING:
    case Code.LEFT:
    case Code.TICKET_GONE:
      return new StateConflictError(ErrorCode.NOT_QUEUED, `${what}: ticket is no longer queued`);
    default:
      return new AppError(ErrorCode.INTERNAL, `${what} failed with ${codeName(code)}`, 500);
  }
}
