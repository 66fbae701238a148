/**
 * The live view of one match for an admin socket: ~10 snapshots a second from memory when this node
 * hosts the match, else each new checkpoint read from Redis (about once a second). Stops with
 * `admin:match:gone` when the match ends or disappears. (With a MatchControl.watch from the matches
 * feature, a remote host's snapshots could be relayed at full rate; see the report of issue 14.)
 */
import type { FastifyBaseLogger } from "fastify";
import type { MatchDetail } from "../../shared/admin-api.ts";
import { NotFoundError } from "../errors.ts";
import type { AdminSocket } from "./admin-namespace.ts";
import type { AdminService } from "./admin-service.ts";

const LOCAL_MS = 100;
/** Checkpoint polls happen every this many local ticks. */
const CHECKPOINT_EVERY = 5;

export class MatchWatch {
  private readonly watches = new Map<string, { matchId: string; timer: NodeJS.Timeout }>();

  constructor(
    private readonly service: AdminService,
    private readonly log: FastifyBaseLogger,
  ) {}

  async watch(socket: AdminSocket, matchId: string): Promise<MatchDetail> {
    this.unwatch(socket);
    const detail = await this.service.match(matchId);
    if (!detail) throw new NotFoundError("No such match");
    let n = 0;
    let lastTick = detail.snapshot?.n ?? -1;
    let lastCheckpoint = detail.checkpointAt;
    let polling = false;
    const timer = setInterval(() => {
      const local = this.service.reads.matches.localSnapshot(matchId);
      if (local) {
        if (local.n !== lastTick) socket.emit("admin:match:snapshot", { matchId, source: "host", snapshot: local });
        lastTick = local.n;
        if (local.ph !== "ended") return;
      }
      if (n++ % CHECKPOINT_EVERY !== 0 || polling) return;
      polling = true;
      void this.service.reads.matches
        .view([matchId])
        .then(([v]) => {
          if (this.watches.get(socket.id)?.timer !== timer) return;
          if (!v || v.status === "ended") {
            socket.emit("admin:match:gone", { matchId });
            return this.unwatch(socket);
          }
          if (!local && v.snapshot && v.checkpointAt !== lastCheckpoint) {
            lastCheckpoint = v.checkpointAt;
            socket.emit("admin:match:snapshot", { matchId, source: "checkpoint", snapshot: v.snapshot });
          }
        })
        .catch((err: unknown) => this.log.warn({ err, matchId }, "admin match watch read failed"))
        .finally(() => (polling = false));
    }, LOCAL_MS);
    timer.unref();
    this.watches.set(socket.id, { matchId, timer });
    return detail;
  }

  unwatch(socket: AdminSocket): { unwatched: true } {
    const w = this.watches.get(socket.id);
    if (w) clearInterval(w.timer);
    this.watches.delete(socket.id);
    return { unwatched: true };
  }

  stopAll(): void {
    for (const w of this.watches.values()) clearInterval(w.timer);
    this.watches.clear();
  }
}
