/**
 * Translates every error leaving an HTTP route into `{ error: { code, message, retryAfterMs? } }` with
 * the matching status. Fastify's own errors (schema, body size, JSON, prototype poisoning) get codes too.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCode, type ErrorBody } from "../../shared/errors.ts";
import { AppError, toAppError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";

function fromFastify(err: FastifyError): { status: number; body: ErrorBody } | null {
  if (err.validation) return { status: 400, body: { code: ErrorCode.INVALID_PAYLOAD, message: err.message } };
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { status: 413, body: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: "Body too large" } };
  if (typeof err.code === "string" && err.code.startsWith("FST_ERR_CTP")) return { status: 400, body: { code: ErrorCode.INVALID_PAYLOAD, message: err.message } };
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return { status: err.statusCode, body: { code: ErrorCode.INVALID_PAYLOAD, message: err.message } };
  return null;
}

/** Sends an AppError as the HTTP reply (sets Retry-After when the error has one). */
export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.retryAfterMs !== undefined) reply.header("retry-after", String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
  return reply.status(err.httpStatus).send({ error: err.toBody() });
}

/** Installs the error and not-found handlers on an app (call on the root instance). */
export function installErrorHandlers(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof AppError ? null : fromFastify(err);
    if (known) {
      metrics.handlerErrors.inc({ code: known.body.code });
      return reply.status(known.status).send({ error: known.body });
    }
    const appErr = toAppError(err);
    metrics.handlerErrors.inc({ code: appErr.code });
    if (appErr.httpStatus >= 500) req.log.error({ err }, "request failed");
    return sendError(reply, appErr);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: ErrorCode.NOT_FOUND, message: `No route ${req.method} ${req.url.split("?")[0]}` } });
  });
}
