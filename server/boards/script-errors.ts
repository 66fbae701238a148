/**
 * The named failures of the boards' Lua scripts (negative integers) and the one function that maps them
 * to coded errors.
 */
import { AppError, NotFoundError } from "../errors.ts";
import { ErrorCode } from "../../shared/errors.ts";

export const BoardScriptFailure = {
  /** boardAround: the player is not on the board. */
  NOT_ON_BOARD: -1,
  /** Any boards script: an argument is malformed (a bug on our side, never client input). */
  BAD_ARGUMENT: -2,
} as const;

/** Throws the error of a negative script reply; returns non-negative replies (and arrays) unchanged. */
export function checkBoardScript<T>(script: string, reply: T | number): T {
  if (typeof reply !== "number" || reply >= 0) return reply as T;
  if (reply === BoardScriptFailure.NOT_ON_BOARD) throw new NotFoundError("Player is not on this board");
  throw new AppError(ErrorCode.INTERNAL, `Lua script ${script} refused its arguments (${reply})`, 500);
}
