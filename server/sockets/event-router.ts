/**
 * The socket edge: every inbound event goes through here. It checks the event is part of the protocol,
 * validates the payload with the compiled schema, applies the action's rate limit, runs the handler and
 * turns the outcome into an ack `{ ok: true, data }` / `{ ok: false, error }`. Handlers only ever see
 * parsed values, and one client's bad input never throws past this file.
 */
import type { TSchema, Static } from "typebox";
import type { FastifyBaseLogger } from "fastify";
import { ErrorCode } from "../../shared/errors.ts";
import { CLIENT_EVENTS, type Ack, type AckFn, type ClientToServerEvents } from "../../shared/protocol.ts";
import { AppError, toAppError } from "../errors.ts";
import type { Metrics } from "../metrics.ts";
import { compiled, describeFirstError } from "../validation.ts";
import type { AppSocket } from "./types.ts";

type FireEvent = "match:input";
export type AckEvent = Exclude<keyof ClientToServerEvents, FireEvent>;
type AckData<E extends AckEvent> = Parameters<ClientToServerEvents[E]>[1] extends AckFn<infer T> ? T : never;

/** Identity of the caller, taken from the authenticated socket. */
export interface EventContext {
  socket: AppSocket;
  playerId: string;
  name: string;
  ip: string;
  /** Resolves once the connection is set up (acked events wait for it). */
  ready: Promise<void>;
}

/** A rate-limit check for one action: throws RateLimitedError / BannedError to refuse. */
export type ActionGuard = (ctx: EventContext, action: string) => Promise<void>;

/** Per-socket gate for high-rate fire-and-forget events (e.g. game inputs); false = drop. */
export type FireGate = (ctx: EventContext, event: FireEvent) => boolean;

/** Told about every refused message (schema failure, unknown event), e.g. to escalate repeat offenders. */
export type RejectHook = (ctx: EventContext, kind: "invalid" | "unknown") => void;

interface AckRoute {
  kind: "ack";
  schema: TSchema;
  action: string | null;
  handler: (ctx: EventContext, payload: unknown) => Promise<unknown> | unknown;
}
interface FireRoute {
  kind: "fire";
  schema: TSchema;
  handler: (ctx: EventContext, payload: unknown) => void;
}

export class EventRouter {
  private readonly routes = new Map<string, AckRoute | FireRoute>();
  private readonly known = new Set<string>(CLIENT_EVENTS);
  guard: ActionGuard | null = null;
  fireGate: FireGate | null = null;
  onReject: RejectHook | null = null;

  constructor(
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Registers an acked event. `action` names the rate-limit bucket (null: not limited beyond the
   * connection itself, e.g. ping).
   */
  handle<E extends AckEvent, S extends TSchema>(
    event: E,
    schema: S,
    action: string | null,
    handler: (ctx: EventContext, payload: Static<S>) => Promise<AckData<E>> | AckData<E>,
  ): this {
    this.routes.set(event, { kind: "ack", schema, action, handler: handler as AckRoute["handler"] });
    return this;
  }

  /** Registers a fire-and-forget event (no ack): invalid payloads are dropped and counted. */
  fire<S extends TSchema>(event: FireEvent, schema: S, handler: (ctx: EventContext, payload: Static<S>) => void): this {
    this.routes.set(event, { kind: "fire", schema, handler: handler as FireRoute["handler"] });
    return this;
  }

  /**
   * Wires every route onto a freshly connected socket. Acked events received before the returned function
   * is called wait for it (events are never dropped for arriving early); fire-and-forget ones do not wait.
   */
  attach(socket: AppSocket): () => void {
    let markReady!: () => void;
    const ready = new Promise<void>((ok) => (markReady = ok));
    const ctx: EventContext = { socket, playerId: socket.data.playerId, name: socket.data.name, ip: socket.data.ip, ready };
    const routes = this.routes;
    // Called for every event (inputs included): known ones return at once, without copying the arguments.
    const router = this;
    socket.onAny(function onAnyEvent(event: string) {
      if (routes.has(event)) return;
      router.unknown(ctx, event, arguments[arguments.length - 1]);
    });
    for (const [event, route] of this.routes) {
      if (route.kind === "fire") {
        socket.on(event as FireEvent, (payload: unknown) => this.runFire(ctx, event as FireEvent, route, payload));
      } else {
        socket.on(event as AckEvent, ((...args: unknown[]) => void this.runAck(ctx, event, route, args)) as never);
      }
    }
    return markReady;
  }

  /** The schema an event is validated with (fuzz tests), undefined when no module serves it. */
  schemaOf(event: string): TSchema | undefined {
    return this.routes.get(event)?.schema;
  }

  private unknown(ctx: EventContext, event: string, last: unknown): void {
    this.metrics.unknownEvents.inc();
    this.reject(ctx, "unknown");
    // Also a protocol event whose module is not running here: the client must not wait for a timeout.
    if (typeof last === "function") {
      const message = this.known.has(event) ? "Event not served by this node" : "Unknown event";
      (last as AckFn<never>)({ ok: false, error: { code: ErrorCode.UNKNOWN_EVENT, message } });
    }
  }

  private reject(ctx: EventContext, kind: "invalid" | "unknown"): void {
    try {
      this.onReject?.(ctx, kind);
    } catch (err) {
      this.log.error({ err, playerId: ctx.playerId }, "reject hook failed");
    }
  }

  private runFire(ctx: EventContext, event: FireEvent, route: FireRoute, payload: unknown): void {
    if (this.fireGate && !this.fireGate(ctx, event)) return;
    if (!compiled(route.schema).Check(payload)) {
      this.metrics.inputsDropped.inc({ reason: "invalid" });
      this.metrics.invalidPayloads.inc({ event });
      this.reject(ctx, "invalid");
      return;
    }
    try {
      route.handler(ctx, payload);
    } catch (err) {
      this.log.error({ err, event, playerId: ctx.playerId }, "fire handler failed");
    }
  }

  private async runAck(ctx: EventContext, event: string, route: AckRoute, args: unknown[]): Promise<void> {
    // The wire shape is exactly [payload, ack]. Without a callback there is no one to answer: drop and
    // count. With one but a missing or extra argument, answer INVALID_PAYLOAD.
    const ack = args[args.length - 1];
    if (typeof ack !== "function") {
      this.metrics.invalidPayloads.inc({ event });
      this.reject(ctx, "invalid");
      return;
    }
    const reply = ack as (res: Ack<unknown>) => void;
    this.metrics.socketEvents.inc({ event });
    try {
      const payload = args[0];
      if (args.length !== 2 || !compiled(route.schema).Check(payload)) {
        this.metrics.invalidPayloads.inc({ event });
        this.reject(ctx, "invalid");
        const message = args.length !== 2 ? "expected one payload object and an ack" : describeFirstError(route.schema, payload);
        reply({ ok: false, error: { code: ErrorCode.INVALID_PAYLOAD, message } });
        return;
      }
      await ctx.ready;
      if (route.action && this.guard) await this.guard(ctx, route.action);
      const data = await route.handler(ctx, payload);
      reply({ ok: true, data });
    } catch (err) {
      const appErr = toAppError(err);
      this.metrics.handlerErrors.inc({ code: appErr.code });
      if (!(err instanceof AppError)) this.log.error({ err, event, playerId: ctx.playerId }, "socket handler failed");
      reply({ ok: false, error: appErr.toBody() });
    }
  }
}
