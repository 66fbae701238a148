/**
 * One error class per failure kind, each with a stable code from shared/errors.ts. Domain code throws
 * these; only the edges (HTTP error handler, socket ack wrapper, handshake middleware) translate them.
 */
import { ErrorCode, type ErrorBody } from "../shared/errors.ts";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number,
    options?: ErrorOptions & { retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;

  /** The body sent to clients: never a stack or a cause. */
  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.INVALID_PAYLOAD, message, 400, options);
  }
}
export class InvalidNameError extends AppError {
  constructor(message = "Name must be 1-20 letters, digits, spaces, '_' or '-'") {
    super(ErrorCode.INVALID_NAME, message, 400);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = "Missing credentials") {
    super(ErrorCode.UNAUTHORIZED, message, 401);
  }
}
export class InvalidTokenError extends AppError {
  constructor(message = "Session token is unknown or expired; log in again") {
    super(ErrorCode.INVALID_TOKEN, message, 401);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "Forbidden") {
    super(ErrorCode.FORBIDDEN, message, 403);
  }
}
export class NotFoundError extends AppError {
  constructor(message = "Not found") {
    super(ErrorCode.NOT_FOUND, message, 404);
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfterMs: number, message = "Too many requests") {
    super(ErrorCode.RATE_LIMITED, message, 429, { retryAfterMs });
  }
}
export class BannedError extends AppError {
  constructor(retryAfterMs: number, message = "Temporarily banned") {
    super(ErrorCode.BANNED, message, 403, { retryAfterMs });
  }
}
/** A conflict with the player's current state (already queued, already in a match, not queued...). */
export class StateConflictError extends AppError {
  constructor(code: typeof ErrorCode.ALREADY_QUEUED | typeof ErrorCode.ALREADY_IN_MATCH | typeof ErrorCode.NOT_QUEUED | typeof ErrorCode.NOT_IN_MATCH, message: string) {
    super(code, message, 409);
  }
}
export class StaleFencingTokenError extends AppError {
  constructor(message = "Fencing token is stale", options?: ErrorOptions) {
    super(ErrorCode.STALE_FENCING_TOKEN, message, 409, options);
  }
}
export class UnavailableError extends AppError {
  constructor(message = "Service temporarily unavailable", options?: ErrorOptions) {
    super(ErrorCode.UNAVAILABLE, message, 503, options);
  }
}
/** This node is overloaded (server/nodes/load-monitor.ts) and takes no new connection. */
export class NodeOverloadedError extends AppError {
  constructor(retryAfterMs: number, message = "This node is overloaded; connect again (another node will take you)") {
    super(ErrorCode.NODE_OVERLOADED, message, 503, { retryAfterMs });
  }
}

/** A destructive action whose typed confirmation is missing or wrong (admin). */
export class ConfirmationRequiredError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFIRMATION_REQUIRED, message, 400);
  }
}
/** The target is not in a state the action applies to: match already ended, node not live (admin). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message, 409);
  }
}

/** Maps anything thrown to an AppError; unknown errors become INTERNAL (the original is kept as cause). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(ErrorCode.INTERNAL, "Internal error", 500, { cause: err });
}
