/**
 * The matchmaker worker of one node. Every MATCHMAKER_INTERVAL_MS it runs one pass per queue; a pass
 * holds that queue's Redlock (acquired without retries: a node that finds the queue locked skips the pass)
 * and takes a fencing token (INCR) right after acquiring it. The pass reads the oldest tickets, searches
 * around each (GEOSEARCH BYRADIUS ASC COUNT), picks groups with the pure selection, and claims each group
 * with one fenced Lua script. The lock only saves work: two passes that overlap (a lock that expired
 * during a GC pause, a Redlock minority) cannot both claim a ticket, because the claim script checks that
 * the caller's token is current and that every ticket is still queued.
 *
 * After a claim, the node has the match created (record and each player's current-match marker, through
 * the matches feature), releases the players' ticket pointers and notifies them. That happens right after
 * the claim rather than inside it because the record and the player keys live in other hash slots than the
 * queue (Redis Cluster runs a script on one slot). "No player in two matches" still holds:
 *  - a claimed ticket has left its queue for good (a "claimed" tombstone), so no other claim can take it;
 *  - a player holds one ticket at a time: queue:join reserves the pointer only while the player has no
 *    pointer and no match marker (one script on the player's slot), and the pointer is released only
 *    after the match marker is written;
 *  - moving a ticket to the worldwide queue removes it from its regional queue before adding it there,
 *    so it is never in two queues at once.
 * A node that dies between the claim and the record leaves the claim in the queue slot; the next pass on
 * any node completes it (idempotently) once it is older than a few lock lifetimes.
 */
import type { FastifyBaseLogger } from "fastify";
import type Redlock from "redlock";
import { ExecutionError, type Lock } from "redlock";
import type { Keys } from "../redis/keys.ts";
import type { Metrics } from "../metrics.ts";
import { ScriptCode as Code, codeName } from "../redis/script-codes.ts";
import type { NewMatch } from "../matches/match-record.ts";
import { selectGroups, type Group } from "./group-selection.ts";
import { completeClaim, toClaim } from "./claims.ts";
import type { QueueStore } from "./queue-store.ts";
import { QUEUES, WORLD_QUEUE, type ClaimRecord, type StoredTicket } from "./tickets.ts";
import { searchFor, worldwideAfterMs, type GroupRules, type SearchSchedule } from "./schedule.ts";

/** A match this node created (or completed for a node that died after claiming it). */
export interface CreatedMatch extends ClaimRecord {
  hostNodeId: string;
  /** True when completed by recovery rather than by the claiming pass. */
  recovered: boolean;
}

export interface MatchmakerDeps {
  /** Time between two passes over one queue. */
  intervalMs: number;
  schedule: SearchSchedule;
  rules: GroupRules;
  nodeId: string;
  keys: Keys;
  store: QueueStore;
  redlock: Redlock;
  log: Pick<FastifyBaseLogger, "debug" | "info" | "warn" | "error">;
  metrics: Metrics;
  now: () => number;
  /** Chooses the host node of a new match, given the node each of its players is connected to. */
  pickHost: (near: readonly string[]) => Promise<string>;
  /** Creates the match (record and player pointers) unless it exists; idempotent. */
  createMatch: (m: NewMatch) => Promise<void>;
  /** Called once per created match (notify the players). */
  onMatch: (m: CreatedMatch) => void;
  /** Queues this matchmaker serves (default: all). */
  queues?: readonly string[];
  /** Seeds read per chunk of a pass. */
  batchSize?: number;
}

export interface PassStats {
  queue: string;
  status: "idle" | "locked" | "busy" | "done" | "stale";
  fence: number;
  matches: number;
  players: number;
  moved: number;
  swept: number;
  refused: number;
}

export class Matchmaker {
  readonly schedule: SearchSchedule;
  readonly rules: GroupRules;
  /** Redlock lease of one pass; long enough for a pass, short enough that a dead node's lock lapses fast. */
  readonly lockTtlMs: number;
  /** A pass stops starting new chunks after this, well inside its lease. */
  readonly passBudgetMs: number;
  /** A pending claim older than this is completed by whichever node runs the queue's pass. */
  readonly recoverAfterMs: number;
  readonly searchCount: number;
  /** Radii a search widens through before its own (doubling from the first step): cheap nearest-first searches. */
  readonly rings: readonly number[];
  private readonly batchSize: number;
  private readonly queues: readonly string[];
  private readonly running = new Map<string, Promise<PassStats>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = true;

  constructor(private readonly deps: MatchmakerDeps) {
    this.schedule = deps.schedule;
    this.rules = deps.rules;
    this.lockTtlMs = Math.max(1000, 5 * deps.intervalMs);
    this.passBudgetMs = Math.floor(this.lockTtlMs / 2);
    this.recoverAfterMs = 5 * this.lockTtlMs;
    this.searchCount = Math.max(16, 4 * this.rules.maxPlayers);
    const rings: number[] = [];
    for (let r = Math.max(1, this.schedule.radiusKm[0]!); r < Math.max(...this.schedule.radiusKm); r *= 2) rings.push(r);
    this.rings = rings;
    this.batchSize = deps.batchSize ?? 500;
    this.queues = deps.queues ?? QUEUES;
  }

  /** Starts one self-scheduling loop per queue (random phase, so nodes do not all contend at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const every = this.deps.intervalMs;
    for (const q of this.queues) this.scheduleNext(q, Math.floor(Math.random() * every));
  }

  /** Stops the loops and waits for passes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private scheduleNext(queue: string, delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(
      queue,
      setTimeout(() => void this.loop(queue), delayMs),
    );
  }

  // The next pass of a queue is scheduled only when this one has finished: a slow pass never overlaps itself.
  private async loop(queue: string): Promise<void> {
    const started = Date.now();
    try {
      await this.runPass(queue);
    } catch (err) {
      this.deps.log.warn({ err, queue }, "matchmaker pass failed");
    }
    this.scheduleNext(queue, Math.max(0, this.deps.intervalMs - (Date.now() - started)));
  }

  /** Runs one pass over a queue now (skipped when this node is already running one for it). */
  async runPass(queue: string): Promise<PassStats> {
    if (this.running.has(queue)) {
      this.deps.metrics.matchmakerSkipped.inc({ reason: "busy" });
      return emptyStats(queue, "busy");
    }
    const p = this.pass(queue);
    this.running.set(queue, p);
    try {
      return await p;
    } finally {
      this.running.delete(queue);
    }
  }

  private async pass(queue: string): Promise<PassStats> {
    const { store, redlock, keys, metrics } = this.deps;
    const stats = emptyStats(queue, "idle");
    // An idle queue costs two reads and no lock.
    const work = await store.workload(queue);
    if (!work.tickets && !work.claims) return stats;
    let lock: Lock;
    try {
      lock = await redlock.acquire([keys.matchmaking.lock(queue)], this.lockTtlMs);
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      metrics.matchmakerSkipped.inc({ reason: "locked" });
      stats.status = "locked";
      return stats;
    }
    const endTimer = metrics.matchmakerPass.startTimer();
    try {
      const token = await store.acquireFence(queue);
      stats.fence = token;
      stats.status = "done";
      const deadline = Math.min(lock.expiration - 50, Date.now() + this.passBudgetMs);
      if (work.claims) await this.recover(queue);
      const taken = new Set<string>();
      let offset = 0;
      while (Date.now() < deadline) {
        const batch = await store.oldest(queue, offset, this.batchSize);
        if (!batch.length) break;
        const { removed, stale } = await this.processBatch(queue, token, batch, taken, stats);
        if (stale) stats.status = "stale";
        if (stale || batch.length < this.batchSize) break;
        offset += Math.max(0, batch.length - removed);
      }
    } finally {
      endTimer();
      // A failed release is harmless: the lease lapses by itself.
      await lock.release().catch(() => {});
    }
    return stats;
  }

  /**
   * Matches, moves and sweeps one chunk of the oldest tickets; returns how many of them left the queue and
   * whether the fencing token turned out stale (another node holds the queue now: stop).
   */
  private async processBatch(queue: string, token: number, batch: { ticketId: string }[], taken: Set<string>, stats: PassStats): Promise<{ removed: number; stale: boolean }> {
    const { store } = this.deps;
    const worldwide = queue === WORLD_QUEUE;
    const moveAfter = worldwideAfterMs(this.schedule);
    const ids = batch.map((b) => b.ticketId).filter((id) => !taken.has(id));
    const { queued, missing } = await store.read(queue, ids);
    await store.sweep(queue, missing);
    stats.swept += missing.length;
    const left = new Set(missing);

    const now = this.deps.now();
    const seeds: StoredTicket[] = [];
    const toMove: StoredTicket[] = [];
    for (const id of ids) {
      const t = queued.get(id);
      if (!t) continue;
      if (!worldwide && now - t.joinedAt >= moveAfter) toMove.push(t);
      else seeds.push(t);
    }
    // Seeds are searched in waves, oldest first: a seed that an earlier group already took is never
    // searched. In a dense queue most seeds end up in an older seed's group, so this saves most searches.
    const groups: Group[] = [];
    for (let i = 0; i < seeds.length; ) {
      const wave: StoredTicket[] = [];
      for (; i < seeds.length && wave.length < SEARCH_WAVE; i++) if (!taken.has(seeds[i]!.ticketId)) wave.push(seeds[i]!);
      if (!wave.length) break;
      const neighbours = await store.around(
        queue,
        wave.map((s) => ({ ticketId: s.ticketId, radiusKm: searchFor(this.schedule, now - s.joinedAt, worldwide).radiusKm })),
        this.searchCount,
        this.rings,
      );
      const unknown = new Set<string>();
      for (const list of neighbours.values()) for (const n of list) if (!queued.has(n.ticketId) && !taken.has(n.ticketId)) unknown.add(n.ticketId);
      if (unknown.size) {
        const more = await store.read(queue, [...unknown]);
        for (const [id, t] of more.queued) queued.set(id, t);
        await store.sweep(queue, more.missing);
        stats.swept += more.missing.length;
      }
      groups.push(...selectGroups({ now, schedule: this.schedule, rules: this.rules, worldwide, seeds: wave, neighbours, searchCount: this.searchCount, tickets: queued, taken }));
    }
    const claims = groups.map((g) => toClaim(queue, token, g, now));
    const codes = await Promise.all(claims.map((c) => store.claim(queue, token, c)));
    const won: ClaimRecord[] = [];
    let stale = false;
    codes.forEach((code, i) => {
      if (code === Code.OK) won.push(claims[i]!);
      else {
        stats.refused++;
        this.deps.metrics.claimsRefused.inc({ reason: codeName(code) });
        if (code === Code.STALE_FENCE) stale = true;
      }
    });
    for (const c of won) for (const p of c.players) left.add(p.ticketId);
    stats.matches += won.length;
    stats.players += won.reduce((n, c) => n + c.players.length, 0);
    // Claims that succeeded are valid whatever happened after them: complete them even when stale.
    await Promise.all(won.map((c) => completeClaim(this.deps, c, false)));
    if (stale) return { removed: countIn(ids, left), stale };

    const moves = toMove.filter((t) => !taken.has(t.ticketId));
    const outcomes = await Promise.all(moves.map((t) => store.moveToWorld(queue, token, t.ticketId)));
    outcomes.forEach((o, i) => {
      if (o === "stale") stale = true;
      else {
        left.add(moves[i]!.ticketId);
        if (o === "moved") stats.moved++;
      }
    });
    return { removed: countIn(ids, left), stale };
  }

  /** Completes claims left pending by a node that died between its claim and its match record. */
  private async recover(queue: string): Promise<void> {
    const pending = await this.deps.store.pendingClaims(queue);
    const cutoff = this.deps.now() - this.recoverAfterMs;
    await Promise.all(pending.filter((c) => c.createdAt < cutoff).map((c) => completeClaim(this.deps, c, true)));
  }
}

/** Seeds searched per round trip within a chunk. */
const SEARCH_WAVE = 64;

function emptyStats(queue: string, status: PassStats["status"]): PassStats {
  return { queue, status, fence: 0, matches: 0, players: 0, moved: 0, swept: 0, refused: 0 };
}

function countIn(ids: readonly string[], set: ReadonlySet<string>): number {
  let n = 0;
  for (const id of ids) if (set.has(id)) n++;
  return n;
}
