/**
 * The waiting players connected to THIS node: the node keeps their tickets alive (TTL refresh), pushes
 * `queue:status` to them about once a second, and removes a ticket when its player stays disconnected
 * past the grace. A ticket belongs to the player's newest connection (its socket epoch): a reconnect on
 * any node adopts the ticket, which makes the old node's disconnect timer a no-op (checked in Redis, so
 * no node has to ask the others who is connected where).
 */
import type { FastifyBaseLogger } from "fastify";
import type { AppSocket } from "../sockets/types.ts";
import type { RegionId } from "../../shared/regions.ts";
import { ScriptCode as Code } from "../redis/script-codes.ts";
import type { QueueStore } from "./queue-store.ts";
import { WORLD_QUEUE, parsePointer, pointerOf } from "./tickets.ts";
import { searchFor, type SearchSchedule } from "./schedule.ts";

/** How long a ticket may stay half-way through its move to the worldwide queue before it counts as lost. */
const MOVE_GRACE_MS = 10_000;
/** Cap of the players-in-range count in queue:status (the client shows "100+"). */
export const PLAYERS_IN_RANGE_CAP = 100;

export interface WaitingEntry {
  playerId: string;
  ticketId: string;
  home: string;
  /** Queue the ticket is in now: its home region, or the worldwide queue after the move. */
  queue: string;
  joinedAt: number;
  socket: AppSocket;
  graceTimer?: NodeJS.Timeout;
  /** When the ticket was first seen half-way through its move to the worldwide queue. */
  movingSince?: number;
}

export interface WaitingRoomDeps {
  store: QueueStore;
  schedule: SearchSchedule;
  nodeId: string;
  now: () => number;
  log: Pick<FastifyBaseLogger, "warn" | "error" | "debug">;
  graceMs: number;
  statusIntervalMs: number;
}

type TouchResult = Awaited<ReturnType<QueueStore["touch"]>>;

export class WaitingRoom {
  private readonly entries = new Map<string, WaitingEntry>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;

  constructor(private readonly deps: WaitingRoomDeps) {}

  /** Number of waiting players tracked on this node. */
  get size(): number {
    return this.entries.size;
  }

  /** The tracked entry of a player, if any. */
  get(playerId: string): WaitingEntry | undefined {
    return this.entries.get(playerId);
  }

  /** Starts tracking a player's ticket on this node (after a join or an adoption). */
  track(e: Omit<WaitingEntry, "graceTimer">): WaitingEntry {
    const old = this.entries.get(e.playerId);
    if (old?.graceTimer) clearTimeout(old.graceTimer);
    const entry: WaitingEntry = { ...e };
    this.entries.set(e.playerId, entry);
    // The socket may have gone while the join was in flight.
    if (!entry.socket.connected) this.onDisconnected(entry.socket);
    return entry;
  }

  /** Stops tracking (match found, left); only the given ticket when one is named. */
  untrack(playerId: string, ticketId?: string): void {
    const e = this.entries.get(playerId);
    if (!e || (ticketId && e.ticketId !== ticketId)) return;
    if (e.graceTimer) clearTimeout(e.graceTimer);
    this.entries.delete(playerId);
  }

  /** Starts the status/refresh loop. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.deps.statusIntervalMs);
  }

  /** Stops timers. Tickets stay in Redis: the players reconnect elsewhere and the new node adopts them. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const e of this.entries.values()) if (e.graceTimer) clearTimeout(e.graceTimer);
    this.entries.clear();
  }

  /** A socket closed: its player's ticket is removed after the grace unless a newer connection adopts it. */
  onDisconnected(socket: AppSocket): void {
    const e = this.entries.get(socket.data.playerId);
    if (!e || e.socket !== socket || e.graceTimer || this.stopped) return;
    e.graceTimer = setTimeout(() => void this.expireGrace(e), this.deps.graceMs);
  }

  private async expireGrace(e: WaitingEntry): Promise<void> {
    if (this.entries.get(e.playerId) !== e) return;
    this.entries.delete(e.playerId);
    try {
      const pointer = pointerOf(e.home, e.ticketId);
      const w = await this.deps.store.withdraw(pointer, e.socket.data.epoch);
      if (w.outcome === "removed" || w.outcome === "gone") await this.deps.store.releasePointer(e.playerId, pointer);
    } catch (err) {
      // The ticket then ends by its TTL, since nobody refreshes it any more.
      this.deps.log.warn({ err, playerId: e.playerId }, "removing a disconnected player's ticket failed");
    }
  }

  /** A socket became its player's live one: adopt the player's ticket if they have one. */
  async adopt(socket: AppSocket): Promise<void> {
    const { store } = this.deps;
    const playerId = socket.data.playerId;
    const pointer = await store.pointer(playerId);
    const p = pointer ? parsePointer(pointer) : null;
    if (!pointer || !p) return;
    const probe: WaitingEntry = { playerId, ticketId: p.ticketId, home: p.home, queue: p.home, joinedAt: 0, socket };
    const r = await this.resolve(probe);
    if (r.code === Code.OK) {
      const e = this.track({ ...probe, joinedAt: r.joinedAt });
      this.emitStatus(e, r.count);
    } else if (r.code === Code.MOVED) {
      // Half-way through a move: tracked, the next refresh finds it in the worldwide queue.
      this.track(probe);
    } else if (r.code === Code.MISSING || r.code === Code.LEFT) {
      await this.lost(probe, r.code === Code.MISSING);
    }
  }

  /** One round of refreshes and queue:status pushes for every connected waiting player. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const live = [...this.entries.values()].filter((e) => e.socket.connected && !e.graceTimer);
      await Promise.all(live.map((e) => this.refresh(e).catch((err: unknown) => this.deps.log.warn({ err, playerId: e.playerId }, "ticket refresh failed"))));
    } finally {
      this.ticking = false;
    }
  }

  private async refresh(e: WaitingEntry): Promise<void> {
    // Pointer first: it must outlive the ticket it names.
    await this.deps.store.touchPointer(e.playerId);
    const r = await this.resolve(e);
    if (this.entries.get(e.playerId) !== e) return;
    switch (r.code) {
      case Code.OK:
        e.joinedAt ||= r.joinedAt;
        this.emitStatus(e, r.count);
        return;
      case Code.MOVED:
        // Half-way through its move to the worldwide queue: look again next round.
        return;
      case Code.MISSING:
      case Code.LEFT:
        this.entries.delete(e.playerId);
        await this.lost(e, r.code === Code.MISSING);
        return;
      default:
        // CLAIMED (match:found is on its way) or SUPERSEDED (a newer connection owns it).
        this.entries.delete(e.playerId);
    }
  }

  /** Touches the ticket where it is: follows a move to the worldwide queue. */
  private async resolve(e: WaitingEntry): Promise<TouchResult> {
    const { store, schedule, now, nodeId } = this.deps;
    const touch = (queue: string) => {
      const radius = searchFor(schedule, now() - (e.joinedAt || now()), queue === WORLD_QUEUE).radiusKm;
      return store.touch(queue, e.ticketId, e.socket.data.epoch, nodeId, radius, PLAYERS_IN_RANGE_CAP);
    };
    const r = await touch(e.queue);
    // MOVED: it is in the worldwide queue. MISSING at home: maybe moved and the tombstone lapsed.
    if (e.queue === WORLD_QUEUE || (r.code !== Code.MOVED && r.code !== Code.MISSING)) return r;
    const w = await touch(WORLD_QUEUE);
    if (w.code !== Code.MISSING) {
      e.queue = WORLD_QUEUE;
      e.movingSince = undefined;
      return w;
    }
    if (r.code === Code.MISSING) return r;
    // Out of its home queue, not in the worldwide one yet: a move in flight (remove, then add). Wait for it,
    // unless it stays so long that the mover must have died between the two steps.
    e.movingSince ??= now();
    if (now() - e.movingSince < MOVE_GRACE_MS) return r;
    e.queue = WORLD_QUEUE;
    return w;
  }

  /** The ticket vanished (expired, or lost in a crash mid-move): make sure it stays gone, tell the player. */
  private async lost(e: WaitingEntry, expired: boolean): Promise<void> {
    const pointer = pointerOf(e.home, e.ticketId);
    const w = await this.deps.store.withdraw(pointer, e.socket.data.epoch);
    if (w.outcome !== "removed" && w.outcome !== "gone") return;
    await this.deps.store.releasePointer(e.playerId, pointer);
    if (expired && e.socket.connected) e.socket.emit("queue:cancelled", { ticketId: e.ticketId, reason: "expired" });
  }

  private emitStatus(e: WaitingEntry, playersInRange: number): void {
    const elapsedMs = Math.max(0, this.deps.now() - e.joinedAt);
    const worldwide = e.queue === WORLD_QUEUE;
    const s = searchFor(this.deps.schedule, elapsedMs, worldwide);
    e.socket.emit("queue:status", {
      ticketId: e.ticketId,
      region: e.home as RegionId,
      elapsedMs,
      radiusKm: s.radiusKm,
      skillBand: s.skillBand,
      playersInRange,
      worldwide,
    });
  }
}
