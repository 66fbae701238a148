/**
 * The live view of one match for admin sockets, at the host's rate wherever the admin is connected.
 * A watching node tells every node "match X is watched" (inter-server message on /admin, repeated while
 * someone watches); the node hosting X sends its snapshot ~10 times a second as one inter-server message,
 * and each node forwards it to its own watchers of X. Until such snapshots arrive (the match is between
 * hosts, or not started) the watching node falls back to the checkpoint in Redis (about once a second).
 * Cost: nothing while nobody watches; ~10 adapter messages a second per watched match.
 */
import type { FastifyBaseLogger } from "fastify";
import type { AdminMatchSnapshot, MatchDetail } from "../../shared/admin-api.ts";
import { NotFoundError } from "../errors.ts";
import type { AdminNamespace, AdminSocket } from "./admin-namespace.ts";
import type { AdminService } from "./admin-service.ts";

const RELAY_MS = 100;
const POLL_MS = 500;
/** A "watched" notice holds this long; watchers repeat it every third of that. */
const WATCH_TTL_MS = 6000;
/** Host snapshots younger than this make the checkpoint fallback unnecessary. */
const HOST_FRESH_MS = 1500;

const roomOf = (matchId: string) => `watch:${matchId}`;

export class MatchWatch {
  /** Matches someone watches (on any node) -> until when; this node relays those it hosts. */
  private readonly watched = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();
  /** Matches watched here -> last host snapshot received and last checkpoint forwarded. */
  private readonly local = new Map<string, { hostAt: number; checkpointAt: number | null; polling: boolean }>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly nsp: AdminNamespace,
    private readonly service: AdminService,
    private readonly log: FastifyBaseLogger,
  ) {
    nsp.on("admin:watching", (matchId) => this.onWatching(matchId));
    nsp.on("admin:snapshot", (s) => this.deliver(s));
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(RELAY_MS, () => this.relay());
    every(POLL_MS, () => this.poll());
    every(WATCH_TTL_MS / 3, () => {
      for (const matchId of this.local.keys()) this.announce(matchId);
    });
  }

  /** Starts watching (one match per socket); resolves with the match's detail. */
  async watch(socket: AdminSocket, matchId: string): Promise<MatchDetail> {
    const detail = await this.service.match(matchId);
    if (!detail) throw new NotFoundError("No such match");
    this.unwatch(socket);
    await socket.join(roomOf(matchId));
    socket.data.watching = matchId;
    if (!this.local.has(matchId)) this.local.set(matchId, { hostAt: 0, checkpointAt: detail.checkpointAt, polling: false });
    this.announce(matchId);
    return detail;
  }

  unwatch(socket: AdminSocket): { unwatched: true } {
    const matchId = socket.data.watching;
    if (matchId) {
      void socket.leave(roomOf(matchId));
      socket.data.watching = undefined;
      if (this.watchers(matchId) === 0) this.local.delete(matchId);
    }
    return { unwatched: true };
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  private watchers(matchId: string): number {
    return this.nsp.adapter.rooms.get(roomOf(matchId))?.size ?? 0;
  }

  private announce(matchId: string): void {
    this.nsp.serverSideEmit("admin:watching", matchId);
    this.onWatching(matchId);
  }

  private onWatching(matchId: string): void {
    this.watched.set(matchId, Date.now() + WATCH_TTL_MS);
  }

  /** On the hosting node: sends each watched match's new snapshot to every node. */
  private relay(): void {
    const now = Date.now();
    for (const [matchId, until] of this.watched) {
      if (until < now) {
        this.watched.delete(matchId);
        this.lastSent.delete(matchId);
        continue;
      }
      const snapshot = this.service.reads.matches.localSnapshot(matchId);
      if (!snapshot || this.lastSent.get(matchId) === snapshot.n) continue;
      this.lastSent.set(matchId, snapshot.n);
      const s: AdminMatchSnapshot = { matchId, source: "host", snapshot };
      this.nsp.serverSideEmit("admin:snapshot", s);
      this.deliver(s);
    }
  }

  /** On every node: forwards a snapshot to the local watchers of its match. */
  private deliver(s: AdminMatchSnapshot): void {
    const w = this.local.get(s.matchId);
    if (!w) return;
    if (s.source === "host") w.hostAt = Date.now();
    this.nsp.local.to(roomOf(s.matchId)).emit("admin:match:snapshot", s);
  }

  /** Watched here: ends the watch when the match is over; forwards checkpoints while no host relays. */
  private poll(): void {
    for (const [matchId, w] of this.local) {
      if (this.watchers(matchId) === 0) {
        this.local.delete(matchId);
        continue;
      }
      if (w.polling) continue;
      w.polling = true;
      void this.service.reads.matches
        .view([matchId])
        .then(([v]) => {
          if (!v || v.status === "ended") {
            this.nsp.local.to(roomOf(matchId)).emit("admin:match:gone", { matchId });
            for (const id of [...(this.nsp.adapter.rooms.get(roomOf(matchId)) ?? [])]) {
              const socket = this.nsp.sockets.get(id);
              if (socket) this.unwatch(socket);
            }
            this.local.delete(matchId);
            return;
          }
          if (Date.now() - w.hostAt > HOST_FRESH_MS && v.snapshot && v.checkpointAt !== w.checkpointAt) {
            w.checkpointAt = v.checkpointAt;
            this.deliver({ matchId, source: "checkpoint", snapshot: v.snapshot });
          }
        })
        .catch((err: unknown) => this.log.warn({ err, matchId }, "admin match watch read failed"))
        .finally(() => (w.polling = false));
    }
  }
}
