/** Admin-only error kinds, each with its stable code from shared/admin-api.ts (translated at the edges). */
import { AdminErrorCode } from "../../shared/admin-api.ts";
import type { ErrorCode } from "../../shared/errors.ts";
import { AppError } from "../errors.ts";

// AppError is typed with the players' codes; the admin codes extend that set on the admin edges only.
const code = (c: AdminErrorCode) => c as unknown as ErrorCode;

/** A destructive action whose typed confirmation is missing or wrong. */
export class ConfirmationRequiredError extends AppError {
  constructor(message: string) {
    super(code(AdminErrorCode.CONFIRMATION_REQUIRED), message, 400);
  }
}

/** The target is not in a state the action applies to (match already over, node not live...). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(code(AdminErrorCode.CONFLICT), message, 409);
  }
}

/** The action needs a feature this node does not provide yet. */
export class NotWiredError extends AppError {
  constructor(what: string) {
    super(code(AdminErrorCode.UNAVAILABLE), `${what} is not available on this deployment yet`, 503);
  }
}
