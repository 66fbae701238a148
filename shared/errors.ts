/**
 * Stable error codes shared by server and every client. A code never changes meaning once published;
 * clients switch on `code`, never on `message`.
 */
export const ErrorCode = {
  /** The payload failed schema validation (wrong type, range, unknown key, too long...). */
  INVALID_PAYLOAD: "INVALID_PAYLOAD",
  /** A display name broke the name rules. */
  INVALID_NAME: "INVALID_NAME",
  /** No credentials were sent. */
  UNAUTHORIZED: "UNAUTHORIZED",
  /** The session token is unknown, revoked or expired (Redis cannot tell these apart, by design). */
  INVALID_TOKEN: "INVALID_TOKEN",
  /** Credentials are valid but not allowed here (e.g. admin area). */
  FORBIDDEN: "FORBIDDEN",
  /** The player or IP is temporarily banned; `retryAfterMs` says for how long. */
  BANNED: "BANNED",
  /** Too many requests; `retryAfterMs` says when to retry. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The connection was refused: too many open from this address, or the node is full; retry shortly. */
  TOO_MANY_CONNECTIONS: "TOO_MANY_CONNECTIONS",
  /** The resource does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** The socket event name is not part of the protocol. */
  UNKNOWN_EVENT: "UNKNOWN_EVENT",
  /** The payload exceeded the size cap. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** Another connection for the same player took over this one. */
  SESSION_REPLACED: "SESSION_REPLACED",
  /** This node is overloaded and accepts no new connection for now; connect again (another node) after `retryAfterMs`. */
  NODE_OVERLOADED: "NODE_OVERLOADED",
  /** The node is shutting down; reconnect (to any node). */
  SERVER_SHUTTING_DOWN: "SERVER_SHUTTING_DOWN",
  /** An operator disconnected this player. */
  KICKED: "KICKED",
  /** The player already has a ticket in a queue. */
  ALREADY_QUEUED: "ALREADY_QUEUED",
  /** The player is already in a running match. */
  ALREADY_IN_MATCH: "ALREADY_IN_MATCH",
  /** The player has no ticket to leave. */
  NOT_QUEUED: "NOT_QUEUED",
  /** The player is not in a match. */
  NOT_IN_MATCH: "NOT_IN_MATCH",
  /** A fenced write carried a token older than the current one. */
  STALE_FENCING_TOKEN: "STALE_FENCING_TOKEN",
  /** Far over the input budget for too long. */
  INPUT_FLOOD: "INPUT_FLOOD",
  /** A destructive admin action whose typed confirmation is missing or does not match. */
  CONFIRMATION_REQUIRED: "CONFIRMATION_REQUIRED",
  /** The target is not in a state the action applies to (match already ended, node not live...). */
  CONFLICT: "CONFLICT",
  /** A dependency (Redis) is unavailable; retry later. */
  UNAVAILABLE: "UNAVAILABLE",
  /** Unexpected server error; details are in the server log, never in the reply. */
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error body used on every edge: HTTP JSON `{ error }`, socket ack `{ ok: false, error }`, connect_error `data`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Present with RATE_LIMITED and BANNED. */
  retryAfterMs?: number;
}
