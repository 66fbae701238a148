/**
 * Pushes each board's top 10 to its subscribers (room `boards:<period>`) when it changes, at most about
 * once per interval, with many nodes.
 *
 * Choice: one push per change for the whole cluster, not one per node. Every node asks Redis once per
 * interval and per period (boardPushClaim: version moved? throttle lock free?); the one node that wins
 * reads the top once and emits to the room through the socket.io adapter, which reaches subscribers on
 * every node. Nodes with subscribers do not each re-read the board, a change costs one read and one
 * broadcast, and no leader election is needed: the claim is per change, so a dead node never blocks
 * pushes (at worst a claimed push is lost with its node and the next change pushes again).
 */
import type { FastifyBaseLogger } from "fastify";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import type { Metrics } from "../metrics.ts";
import type { AppServer } from "../sockets/types.ts";
import { rooms } from "../../shared/protocol.ts";
import { PERIODS, boardTtlMs, instanceAt, type PeriodGrace } from "./periods.ts";
import type { BoardReader } from "./board-reader.ts";
import { expectOk } from "../redis/script-codes.ts";
import { TOP_WATCHED } from "./result-applier.ts";

export interface PusherDeps {
  io: AppServer;
  keys: Keys;
  scripts: Scripts;
  reader: BoardReader;
  metrics: Metrics;
  log: FastifyBaseLogger;
  now: () => number;
  nodeId: string;
  intervalMs: number;
  grace: PeriodGrace;
}

export class BoardPusher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly d: PusherDeps) {}

  /** Starts the periodic check. */
  start(): void {
    this.timer = setInterval(() => {
      // Skip a tick rather than overlap when Redis is slow.
      this.running ??= this.tick().finally(() => (this.running = null));
    }, this.d.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a tick in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One check of every period; pushes those this node won. */
  async tick(): Promise<void> {
    const { keys, scripts, reader, io, now, intervalMs, nodeId } = this.d;
    const t = now();
    await Promise.all(
      PERIODS.map(async (period) => {
        try {
          const instance = instanceAt(period, t);
          const ttl = Math.max(0, boardTtlMs(period, instance, t, this.d.grace));
          const b = keys.boards;
          const won = expectOk(await scripts.run("boardPushClaim", [b.version(period, instance), b.pushed(period, instance), b.pushLock(period, instance)], [intervalMs, ttl, nodeId]), "boardPushClaim");
          if (won !== 1) return;
          const entries = await reader.freshTop(period, instance, TOP_WATCHED);
          io.to(rooms.boards(period)).emit("boards:top", { period, entries });
          this.d.metrics.boardsPushes.inc({ period });
        } catch (err) {
          this.d.log.warn({ err, period }, "board push failed");
        }
      }),
    );
  }
}
