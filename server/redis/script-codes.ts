/**
 * Every integer a Lua script answers with, in one table (each script's header lists the ones it may
 * return), and the one function that turns a failure into an error. A code means one thing in every
 * script; positive codes and 0 are outcomes, negative ones are named states or failures. Codes that are
 * states a caller expects (MOVED, SUPERSEDED, LEASE_HELD...) are read by that caller; `scriptFailure` is
 * for the rest.
 */
import { ErrorCode } from "../../shared/errors.ts";
import { AppError, NotFoundError, StaleFencingTokenError, StateConflictError } from "../errors.ts";

export const ScriptCode = {
  OK: 1,
  /** Nothing to do (already applied, not stored, not the pusher...). */
  NONE: 0,
  /** Applied, and the player was a guest until now: keep it for good (playerApply). */
  PROMOTED: 2,
  // ---- tickets and queues (matchmaking) ----
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
  /** The player already holds a ticket. */
  ALREADY_QUEUED: -6,
  /** The player is in a match. */
  ALREADY_IN_MATCH: -7,
  /** The caller's queue fencing token is not the queue's current one. */
  STALE_FENCE: -8,
  /** A ticket the caller wanted is not queued any more. */
  TICKET_GONE: -9,
  /** A ticket (or tombstone) with this id already exists in the queue. */
  EXISTS: -10,
  /** A claim with a bad ticket count or a ticket twice. */
  BAD_GROUP: -11,
  // ---- boards ----
  /** An argument is malformed (a bug on our side, never client input). */
  BAD_ARGUMENT: -20,
  /** The player is not on the board. */
  NOT_ON_BOARD: -21,
  // ---- match leases ----
  /** The match record does not exist (expired or never written). */
  MATCH_GONE: -30,
  /** The match has ended. */
  MATCH_ENDED: -31,
  /** Another node holds the match's host lease. */
  LEASE_HELD: -32,
  /** The caller's lease is not the current one: it must stop hosting. */
  LEASE_STALE: -33,
  // ---- players ----
  /** The player's match pointer names another match. */
  OTHER_MATCH: -40,
  /** A newer socket of the player exists. */
  NEWER_SOCKET: -41,
} as const;

export type ScriptCode = (typeof ScriptCode)[keyof typeof ScriptCode];

const NAMES = new Map<number, string>(Object.entries(ScriptCode).map(([k, v]) => [v, k]));

/** Name of a code for logs and metric labels. */
export function codeName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN(${code})`;
}

/** The error for a script's failure code (`what` names the operation in the message). */
export function scriptFailure(code: number, what: string): AppError {
  switch (code) {
    case ScriptCode.ALREADY_QUEUED:
      return new StateConflictError(ErrorCode.ALREADY_QUEUED, "This player already has a ticket; leave the queue first");
    case ScriptCode.ALREADY_IN_MATCH:
    case ScriptCode.CLAIMED:
      return new StateConflictError(ErrorCode.ALREADY_IN_MATCH, "This player is in a match");
    case ScriptCode.STALE_FENCE:
      return new StaleFencingTokenError(`${what}: another matchmaker holds this queue now`);
    case ScriptCode.LEASE_STALE:
      return new StaleFencingTokenError(`${what}: this node no longer holds the match's lease`);
    case ScriptCode.MISSING:
    case ScriptCode.LEFT:
    case ScriptCode.TICKET_GONE:
      return new StateConflictError(ErrorCode.NOT_QUEUED, `${what}: ticket is no longer queued`);
    case ScriptCode.NOT_ON_BOARD:
      return new NotFoundError("Player is not on this board");
    default:
      return new AppError(ErrorCode.INTERNAL, `${what} failed with ${codeName(code)}`, 500);
  }
}

/** Passes a non-negative reply (or a table) through; throws `scriptFailure` for a negative code. */
export function expectOk<T>(reply: T | number, what: string): T {
  if (typeof reply === "number" && reply < 0) throw scriptFailure(reply, what);
  return reply as T;
}
