/**
 * Module "matches": the server-side match runtime of one node, and its part in the cluster.
 *
 * - Hosting. A scanner on every node reads the active matches; a match nobody holds the lease of is taken
 *   by its chosen host, or by anyone when that host is dead, never started it, or let the lease lapse
 *   (failover). Taking = Lua `matchLeaseAcquire` (SET NX PX + fencing token in one step). The host loads
 *   the checkpoint (or creates the match from its seed) and ticks it at TICK_HZ on the node's tick loop.
 * - Exclusivity. The lease is renewed every third of MATCH_LEASE_MS; every state write (checkpoint, end)
 *   is fenced by the lease value. A host stops ticking the moment its lease may have lapsed by its own
 *   clock (no renewal confirmed within the lease time), and drops the match when Redis says the lease is
 *   someone else's: a stalled host that wakes up never broadcasts next to its successor.
 * - Fan-out. Snapshots go to the room `match:<id>` through the adapter (not volatile: see `onTick`). One-shot
 *   events (start, resumed, end) go to every node as one inter-server message; each node delivers them to
 *   its own sockets and joins/leaves them, so no node depends on the order of two adapter channels.
 * - Inputs. See input-router.ts: local when the socket is on the host, else the host's inbox channel.
 * - Reconnect. A dropped player's match pointer shrinks to RECONNECT_GRACE_MS and their avatar stops; a
 *   socket that connects (any node) while the pointer lives is put back: room, route, match:start, snapshot.
 */
import type { NodeContext, NodeModule } from "../node-module.ts";
import type { EventRouter } from "../sockets/event-router.ts";
import type { AppSocket } from "../sockets/types.ts";
import type { NodesModule } from "../nodes/nodes-module.ts";
import { loadScore } from "../nodes/node-registry.ts";
import { StaleFencingTokenError } from "../errors.ts";
import { InputFrameSchema } from "../../shared/schemas.ts";
import { rooms, type MatchHostedNotice } from "../../shared/protocol.ts";
import { toSnapshot } from "../../shared/game/sim.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import { readMatchRecord, type MatchRecord } from "./match-record.ts";
import { appendMatchResult } from "./match-result.ts";
import { MatchHost, parseCheckpoint, type HostLease } from "./match-host.ts";
import { MatchLeases } from "./match-leases.ts";
import { InputRouter, INPUT_BATCH } from "./input-router.ts";
import { TickLoop } from "./tick-loop.ts";
import { matchEndOf, matchResultOf, matchStartOf, resultRowsOf } from "./match-messages.ts";

/** Inbox kinds besides input batches: a dropped player, and a nudge to take a match now. */
const DROP = "drop";
const NUDGE = "host";
/** How long an ended match's record stays readable (admin views, late readers). */
const ENDED_RECORD_KEEP_MS = 60_000;
/** A cached host is re-read this often while inputs flow (heals a missed announcement). */
const HOST_REVALIDATE_MS = 2_000;
/** An active-set entry without a record is removed only after this long (the record may be in flight). */
const RECORD_WRITE_GRACE_MS = 30_000;
/** Least time between two route look-ups for a socket sending inputs without a known match. */
const UNROUTED_LOOKUP_MS = 1_000;

export interface MatchesModuleOptions {
  /** How often every node looks for matches to host (default 250 ms). */
  scanIntervalMs?: number;
  /** Benchmarks: told the duration (ms) of each match's tick, snapshot and broadcast. */
  onMatchTick?: (ms: number) => void;
  /** Benchmarks: told the duration (ms) of one loop pass over every hosted match, and how many ticked. */
  onLoopTick?: (ms: number, matches: number) => void;
}

export class MatchesModule implements NodeModule {
  readonly name = "matches";
  readonly router: InputRouter;
  private readonly hosts = new Map<string, MatchHost>();
  private readonly acquiring = new Set<string>();
  /** Matches hosted elsewhere, not worth re-reading before their lease could lapse (performance.now()). */
  private readonly skipUntil = new Map<string, number>();
  private readonly lookups = new Map<string, number>();
  private readonly finishing = new Set<Promise<void>>();
  private readonly leases: MatchLeases;
  private readonly loop: TickLoop;
  private readonly dtMs: number;
  private readonly leaseMs: number;
  private readonly leaseSafetyMs: number;
  private readonly scanIntervalMs: number;
  private readonly startGraceMs: number;
  private timers: NodeJS.Timeout[] = [];
  private scanning = false;
  private stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly nodes: NodesModule,
    private readonly opts: MatchesModuleOptions = {},
  ) {
    const c = ctx.config;
    this.dtMs = 1000 / c.TICK_HZ;
    this.leaseMs = c.MATCH_LEASE_MS;
    // Renewals are sent every third of the lease; stop trusting it a little before it could lapse.
    this.leaseSafetyMs = Math.min(250, Math.floor(this.leaseMs / 10));
    this.scanIntervalMs = opts.scanIntervalMs ?? 250;
    this.startGraceMs = Math.max(3_000, this.leaseMs * 2);
    const fallbackTtl = c.MATCH_COUNTDOWN_MS + c.MATCH_DURATION_MS + c.RECONNECT_GRACE_MS + 60_000;
    this.leases = new MatchLeases(ctx.redis, ctx.keys, ctx.scripts, ctx.nodeId, this.leaseMs, fallbackTtl);
    this.loop = new TickLoop({
      intervalMs: this.dtMs,
      onTick: this.onTick,
      onSkip: (n) => ctx.log.warn({ ticks: n }, "tick loop stalled; ticks skipped"),
    });
    this.router = new InputRouter({
      nodeId: ctx.nodeId,
      deliverLocal: (m, i, s, x, y, d) => this.hosts.get(m)?.input(i, s, x, y, d) ?? false,
      send: (nodeId, raw) => nodes.inbox.sendRaw(nodeId, raw),
      resolveHost: (m) => this.currentHost(m),
      onUnrouted: (pid, sid) => this.lookupRoute(pid, sid),
      onDropped: (reason) => ctx.metrics.inputsDropped.inc({ reason }),
      revalidateMs: HOST_REVALIDATE_MS,
    });
    nodes.reportHostedMatches(() => this.hosts.size);
    nodes.inbox.on(INPUT_BATCH, (m) => this.router.receive(m.b));
    nodes.inbox.on(DROP, (m) => {
      if (typeof m.m === "string" && typeof m.i === "number") this.hosts.get(m.m)?.release(m.i);
    });
    nodes.inbox.on(NUDGE, (m) => {
      if (typeof m.m === "string") void this.tryHost(m.m);
    });
    const nsp = ctx.io.of("/");
    nsp.on("match:hosted", (n) => this.onHosted(n));
    nsp.on("match:ended", (e) => this.onEnded(e));
  }

  registerEvents(router: EventRouter): void {
    router.fire("match:input", InputFrameSchema, (c, frame) => this.router.onInput(c.playerId, c.socket.id, frame));
  }

  start(): void {
    this.loop.start();
    const every = (ms: number, fn: () => Promise<void>) => this.timers.push(setInterval(() => void fn().catch((err: unknown) => this.ctx.log.error({ err }, "match runtime task failed")), ms));
    every(this.scanIntervalMs, () => this.scan());
    every(Math.max(100, Math.floor(this.leaseMs / 3)), () => this.renew());
    every(this.ctx.config.CHECKPOINT_INTERVAL_MS, () => this.checkpoint());
    void this.scan().catch((err: unknown) => this.ctx.log.error({ err }, "match runtime task failed"));
  }

  /** Graceful stop: every hosted match is checkpointed and its lease released, so another node resumes it at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.loop.stop();
    await Promise.race([Promise.allSettled([...this.finishing]), new Promise((r) => setTimeout(r, 2_000))]);
    const now = this.ctx.now();
    const running = [...this.hosts.values()].filter((h) => h.status === "running");
    await Promise.allSettled(running.map((h) => this.leases.handOver(h, h.checkpoint(now))));
    // Ask successors to take the matches now rather than at their next look (up to a lease later),
    // spread over the other live nodes, least loaded first.
    const others = await this.nodes.registry.list().catch(() => []);
    const successors = others.filter((n) => n.nodeId !== this.ctx.nodeId).sort((x, y) => loadScore(x) - loadScore(y));
    if (successors.length) running.forEach((h, i) => this.nodes.inbox.send(successors[i % successors.length]!.nodeId, { t: NUDGE, m: h.matchId }));
    for (const h of this.hosts.values()) h.status = "stopped";
    this.hosts.clear();
    this.ctx.metrics.matchesHosted.set(0);
  }

  /** Matches this node hosts now. */
  hostedCount(): number {
    return this.hosts.size;
  }

  /** The live host object of a match hosted here (tests, admin). */
  hosted(matchId: string): MatchHost | undefined {
    return this.hosts.get(matchId);
  }

  /**
   * Optional fast path for the matchmaker after writing a record: asks the chosen host to take the match
   * now instead of at its next scan (at most SCAN_INTERVAL later anyway).
   */
  nudge(matchId: string, hostNodeId: string): void {
    if (hostNodeId === this.ctx.nodeId) void this.tryHost(matchId);
    else this.nodes.inbox.send(hostNodeId, { t: NUDGE, m: matchId });
  }

  async onConnected(socket: AppSocket): Promise<void> {
    await this.attach(socket, true);
  }

  onDisconnected(socket: AppSocket): void {
    const pid = socket.data.playerId;
    const r = this.router.clearRoute(pid, socket.id);
    if (!r) return;
    const k = this.ctx.keys;
    this.ctx.scripts
      .run("playerMatchDrop", [k.playerMatch(pid), k.playerConnEpoch(pid)], [r.matchId, socket.data.epoch, this.ctx.config.RECONNECT_GRACE_MS])
      .then((res) => {
        // 1: no newer socket took over; the avatar stops until the player is back.
        if (res !== 1) return;
        const host = this.router.hostOf(r.matchId);
        if (host === this.ctx.nodeId) this.hosts.get(r.matchId)?.release(r.index);
        else if (host) this.nodes.inbox.send(host, { t: DROP, m: r.matchId, i: r.index });
      })
      .catch((err: unknown) => this.ctx.log.warn({ err, playerId: pid }, "could not start the reconnect grace"));
  }

  // ---- ticking -----------------------------------------------------------------------------------------

  /**
   * One tick of every match hosted here. Snapshots are not sent volatile: socket.io drops a volatile
   * packet when the previous write to that socket has not completed, so when a busy node reads two
   * snapshots from Redis at once it keeps the older and drops the newer, and gaps appear for healthy
   * clients. A plain emit keeps every snapshot in order; what it may buffer for a client that stops
   * reading is bounded by the ping timeout (pingInterval + pingTimeout), after which the socket closes.
   */
  private readonly onTick = (emit: boolean): void => {
    const t0 = performance.now();
    const sample = this.opts.onMatchTick;
    for (const h of this.hosts.values()) {
      if (h.status !== "running") continue;
      // The lease may have lapsed by our clock: freeze until a renewal confirms it (or drop it if lost).
      if (t0 > h.lease.validUntil) continue;
      const s0 = sample ? performance.now() : 0;
      try {
        h.tick(this.dtMs);
        if (emit || h.ended) this.ctx.io.to(h.room).emit("match:snapshot", h.snapshot());
      } catch (err) {
        this.ctx.log.error({ err, matchId: h.matchId }, "match tick failed");
      }
      if (sample) sample(performance.now() - s0);
      if (h.ended) this.track(this.finish(h));
    }
    if (this.hosts.size) {
      const ms = performance.now() - t0;
      this.ctx.metrics.tickSeconds.observe(ms / 1000);
      this.opts.onLoopTick?.(ms, this.hosts.size);
    }
  };

  private async renew(): Promise<void> {
    // Ending hosts confirm their lease themselves (finish() deletes it at the end).
    const hosts = [...this.hosts.values()].filter((h) => h.status === "running");
    if (!hosts.length) return;
    const sentAt = performance.now();
    const res = await this.leases.renewAll(hosts);
    hosts.forEach((h, i) => {
      if (res[i] === true) h.lease.validUntil = sentAt + this.leaseMs - this.leaseSafetyMs;
      else if (res[i] === false) void this.reclaim(h);
    });
  }

  /**
   * The lease lapsed (this node stalled past it, or Redis was unreachable). If nobody took the match in
   * the meantime, the next token is exactly ours + 1 and this node's state is still the newest: take the
   * lease back and go on, without the rewind to the last checkpoint a successor would cause. Otherwise
   * someone hosted it meanwhile: let go at once.
   */
  private async reclaim(h: MatchHost): Promise<void> {
    if (h.status !== "running") return;
    h.status = "reclaiming";
    try {
      const sentAt = performance.now();
      const res = await this.leases.acquire(h.matchId);
      if (res.ok && res.token === h.lease.token + 1 && h.status === "reclaiming" && !this.stopped) {
        h.lease = { token: res.token, value: res.value, validUntil: sentAt + this.leaseMs - this.leaseSafetyMs };
        h.status = "running";
        this.ctx.log.warn({ matchId: h.matchId, token: res.token }, "lease lapsed and taken back; nobody hosted the match meanwhile");
        return;
      }
      if (res.ok) await this.ctx.scripts.run("matchLeaseRelease", [this.ctx.keys.matchLease(h.matchId)], [res.value]);
      this.drop(h, "lease lost");
    } catch (err) {
      this.ctx.log.warn({ err, matchId: h.matchId }, "could not take a lapsed lease back");
      this.drop(h, "lease lost");
    }
  }

  private async checkpoint(): Promise<void> {
    const now = this.ctx.now();
    const t = performance.now();
    const entries = [...this.hosts.values()].filter((h) => h.status === "running" && t <= h.lease.validUntil).map((host) => ({ host, json: host.checkpoint(now) }));
    const res = await this.leases.checkpointAll(entries);
    entries.forEach(({ host }, i) => {
      if (res[i] === false) void this.reclaim(host);
    });
  }

  /** Stops hosting at once, without any write: the lease is someone else's now. */
  private drop(h: MatchHost, reason: string): void {
    if (h.status === "stopped") return;
    h.status = "stopped";
    if (this.hosts.get(h.matchId) === h) this.hosts.delete(h.matchId);
    this.ctx.metrics.matchesHosted.set(this.hosts.size);
    this.ctx.log.warn({ matchId: h.matchId, token: h.lease.token, reason }, "stopped hosting match");
  }

  // ---- taking matches ------------------------------------------------------------------------------------

  /** Looks for matches this node should host: its own new ones, and orphans (dead or lapsed host). */
  private async scan(): Promise<void> {
    if (this.scanning || this.stopped) return;
    this.scanning = true;
    try {
      const k = this.ctx.keys;
      const flat = await this.ctx.redis.zrange(k.matchesActive, "0", "-1", "WITHSCORES");
      const ids: string[] = [];
      const addedAt = new Map<string, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        ids.push(flat[i]!);
        addedAt.set(flat[i]!, Number(flat[i + 1]));
      }
      const t = performance.now();
      const candidates = ids.filter((id) => !this.hosts.has(id) && !this.acquiring.has(id) && (this.skipUntil.get(id) ?? 0) <= t);
      this.sweep(new Set(ids), t);
      if (!candidates.length) return;
      const p = this.ctx.redis.pipeline();
      for (const id of candidates) p.pttl(k.matchLease(id)).hmget(k.match(id), "status", "hostNodeId", "createdAt");
      const res = (await p.exec()) ?? [];
      const now = this.ctx.now();
      const mine: string[] = [];
      const orphans: string[] = [];
      const gone: string[] = [];
      const ended: string[] = [];
      /** New matches whose chosen host is not in our cached view: maybe dead, maybe newer than the cache. */
      const unsure: [string, string][] = [];
      candidates.forEach((id, i) => {
        const [e1, pttl] = res[2 * i] ?? [new Error("no reply"), null];
        const [e2, fields] = res[2 * i + 1] ?? [new Error("no reply"), null];
        if (e1 || e2) return;
        const [status, host, createdAt] = fields as (string | null)[];
        // No record yet may just be a record still being written (the active-set entry and the record
        // live in different slots, written separately): only an old entry without a record is litter.
        if (status === "ended") ended.push(id);
        if (status === "ended" || (status === null && now - (addedAt.get(id) ?? 0) > RECORD_WRITE_GRACE_MS)) return void gone.push(id);
        if (status === null) return;
        if ((pttl as number) > 0) return void this.skipUntil.set(id, t + (pttl as number));
        if (host === this.ctx.nodeId) mine.push(id);
        else if (!host || status === "running" || now - Number(createdAt) > this.startGraceMs) orphans.push(id);
        else if (!this.nodes.isAlive(host)) unsure.push([id, host]);
      });
      if (unsure.length) {
        const alive = await this.nodes.registry.alive(unsure.map(([, host]) => host));
        unsure.forEach(([id], i) => alive[i] || orphans.push(id));
      }
      if (gone.length) await this.ctx.redis.zrem(k.matchesActive, ...gone);
      // Still listed although ended: its host died (or failed) between the fenced end and the bookkeeping.
      // Finish that bookkeeping, or its players could not queue until their pointers expire.
      if (ended.length) await this.clearPointers(ended);
      // Orphans of a dead node are shared out: each node takes its part per pass (in random order, so
      // nodes racing for them mostly try different ones); the rest go in the next passes.
      const share = Math.ceil(orphans.length / this.nodes.liveCount());
      const picked = shuffle(orphans).slice(0, share);
      await Promise.all([...mine, ...picked].map((id) => this.tryHost(id)));
    } finally {
      this.scanning = false;
    }
  }

  /** Deletes the match pointers of ended matches' players (only those still naming that match). */
  private async clearPointers(matchIds: string[]): Promise<void> {
    const k = this.ctx.keys;
    const records = await Promise.all(matchIds.map((id) => readMatchRecord(this.ctx.redis, k, id)));
    // One command per key (auto-pipelined): the pointers live in different slots (Cluster refuses such pipelines).
    await Promise.all(records.flatMap((rec) => (rec?.players ?? []).map((pl) => this.ctx.scripts.run("playerMatchClear", [k.playerMatch(pl.playerId)], [rec!.matchId]))));
  }

  private sweep(active: Set<string>, t: number): void {
    for (const [id, until] of this.skipUntil) if (!active.has(id) || until < t - 60_000) this.skipUntil.delete(id);
    for (const [pid, at] of this.lookups) if (t - at > UNROUTED_LOOKUP_MS * 10) this.lookups.delete(pid);
    this.router.sweep((id) => this.hosts.has(id) || active.has(id));
  }

  /** Takes the lease of a match and starts hosting it (no-op when another node holds it). */
  private async tryHost(matchId: string): Promise<void> {
    if (this.stopped || this.hosts.has(matchId) || this.acquiring.has(matchId)) return;
    this.acquiring.add(matchId);
    let lease: HostLease | null = null;
    try {
      const sentAt = performance.now();
      const res = await this.leases.acquire(matchId);
      if (!res.ok) {
        // Held: look again when it could have lapsed. Gone or ended: the scan cleans the active set up.
        if (res.reason === "held") this.skipUntil.set(matchId, performance.now() + this.leaseMs / 2);
        return;
      }
      lease = { token: res.token, value: res.value, validUntil: sentAt + this.leaseMs - this.leaseSafetyMs };
      const [record, raw] = await Promise.all([readMatchRecord(this.ctx.redis, this.ctx.keys, matchId), this.ctx.redis.get(this.ctx.keys.matchCheckpoint(matchId))]);
      if (!record || record.players.length === 0) throw new Error(`match ${matchId} has no readable record`);
      const cp = parseCheckpoint(raw, record.players.length);
      const state = cp?.state ?? MatchHost.create(record, { durationMs: this.ctx.config.MATCH_DURATION_MS, countdownMs: this.ctx.config.MATCH_COUNTDOWN_MS });
      const host = new MatchHost(matchId, record, lease, state, cp?.inputs, cp?.endedAt);
      if (this.stopped) {
        await this.leases.handOver(host, host.checkpoint(this.ctx.now()));
        return;
      }
      this.hosts.set(matchId, host);
      this.ctx.metrics.matchesHosted.set(this.hosts.size);
      const resumed = res.previousStatus === "running" || cp !== null;
      if (resumed) this.ctx.log.info({ matchId, token: res.token, fromTick: state.tick }, "match taken over");
      this.announce({ matchId, hostNodeId: this.ctx.nodeId, resumed, start: matchStartOf(record, state, this.ctx.config.TICK_HZ) });
      if (host.ended) this.track(this.finish(host));
    } catch (err) {
      this.ctx.log.error({ err, matchId }, "could not start hosting match");
      if (lease && !this.hosts.has(matchId)) {
        await this.ctx.scripts.run("matchLeaseRelease", [this.ctx.keys.matchLease(matchId)], [lease.value]).catch(() => {});
      }
    } finally {
      this.acquiring.delete(matchId);
    }
  }

  /** Tells every node (this one directly: the adapter does not echo) who hosts a match now. */
  private announce(n: MatchHostedNotice): void {
    this.ctx.io.of("/").serverSideEmit("match:hosted", n);
    this.onHosted(n);
  }

  /** On every node: the match's players connected here join its room and get match:start (and match:resumed). */
  private onHosted(n: MatchHostedNotice): void {
    this.router.setHost(n.matchId, n.hostNodeId);
    const room = rooms.match(n.matchId);
    for (const p of n.start.players) {
      // A resumed match must not pull back a player who gave up on it (past the grace) and is now
      // routed to a newer match; a fresh start always wins (the matchmaker never double-books a player).
      const current = this.router.routeOf(p.playerId);
      if (n.resumed && current && current.matchId !== n.matchId) continue;
      for (const socket of this.localSockets(p.playerId)) {
        socket.join(room);
        this.router.setRoute(p.playerId, { socketId: socket.id, matchId: n.matchId, index: p.index });
        socket.emit("match:start", { ...n.start, you: p.index });
        if (n.resumed) socket.emit("match:resumed", { matchId: n.matchId, hostNodeId: n.hostNodeId });
      }
    }
  }

  /** On every node: the match's players connected here get match:end and leave its room. */
  private onEnded(e: MatchEnd): void {
    const room = rooms.match(e.matchId);
    for (const r of e.results) {
      for (const socket of this.localSockets(r.playerId)) {
        socket.emit("match:end", e);
        socket.leave(room);
      }
    }
    this.router.forgetMatch(e.matchId);
  }

  private localSockets(playerId: string): AppSocket[] {
    const nsp = this.ctx.io.of("/");
    const ids = nsp.adapter.rooms.get(rooms.player(playerId));
    if (!ids) return [];
    const out: AppSocket[] = [];
    for (const id of ids) {
      const s = nsp.sockets.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  // ---- ending ------------------------------------------------------------------------------------------

  private track(p: Promise<void>): void {
    this.finishing.add(p);
    void p.finally(() => this.finishing.delete(p));
  }

  /**
   * Ends a match, in an order where a crash at any point loses nothing and changes nothing: (1) fenced
   * checkpoint of the final state, so a host that resumes it reports the very same results; (2) the
   * result onto the results stream (a resuming host may append it again: the consumer applies a match
   * once); (3) match:end to the players; (4) fenced status "ended"; (5) active set and player pointers.
   */
  private async finish(h: MatchHost): Promise<void> {
    if (h.status !== "running") return;
    h.status = "ending";
    h.endedAt ??= this.ctx.now();
    const endedAt = h.endedAt;
    const rows = resultRowsOf(h.record, h.state);
    const k = this.ctx.keys;
    for (let attempt = 1; ; attempt++) {
      try {
        const sentAt = performance.now();
        const [ok] = await this.leases.checkpointAll([{ host: h, json: h.checkpoint(this.ctx.now()) }]);
        if (ok === false) throw new StaleFencingTokenError(`final checkpoint of match ${h.matchId} refused`);
        if (ok === null) throw new Error("final checkpoint failed");
        await this.leases.confirm(h);
        h.lease.validUntil = sentAt + this.leaseMs - this.leaseSafetyMs;
        if (!h.resultAppended) {
          await appendMatchResult(this.ctx.redis, k, matchResultOf(h.record, h.state, rows, endedAt));
          h.resultAppended = true;
          const end = matchEndOf(h.record, rows, endedAt);
          this.ctx.io.of("/").serverSideEmit("match:ended", end);
          this.onEnded(end);
        }
        await this.leases.finish(h, endedAt, JSON.stringify(rows), ENDED_RECORD_KEEP_MS);
        break;
      } catch (err) {
        if (err instanceof StaleFencingTokenError) return this.drop(h, "lease lost while ending");
        if (attempt >= 10 || this.stopped) {
          // The lease will lapse and another node resumes the ended state from the checkpoint and ends it.
          this.ctx.log.error({ err, matchId: h.matchId }, "could not end match; leaving it to a successor");
          return this.drop(h, "end failed");
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
    h.status = "stopped";
    this.hosts.delete(h.matchId);
    this.ctx.metrics.matchesHosted.set(this.hosts.size);
    // Other hash slots than the match's, so not in the fenced script; all idempotent. One command per key
    // (auto-pipelined into one round trip): a Cluster refuses cross-slot pipelines.
    // Pointers first: while the match is still listed, any node's scan finishes this if we fail here.
    try {
      await Promise.all(h.record.players.map((pl) => this.ctx.scripts.run("playerMatchClear", [k.playerMatch(pl.playerId)], [h.matchId])));
      await this.ctx.redis.zrem(k.matchesActive, h.matchId);
    } catch (err) {
      this.ctx.log.warn({ err, matchId: h.matchId }, "match end bookkeeping failed");
    }
  }

  // ---- players -----------------------------------------------------------------------------------------

  /** Who holds the lease of a match now (null: nobody). */
  private async currentHost(matchId: string): Promise<string | null> {
    const v = await this.ctx.redis.get(this.ctx.keys.matchLease(matchId));
    return v ? v.slice(0, v.lastIndexOf("|")) : null;
  }

  /** A socket sent inputs without a route (a missed announcement): look its match up, at most once a second. */
  private lookupRoute(playerId: string, socketId: string): void {
    const t = performance.now();
    if (t - (this.lookups.get(playerId) ?? -Infinity) < UNROUTED_LOOKUP_MS) return;
    this.lookups.set(playerId, t);
    const socket = this.ctx.io.of("/").sockets.get(socketId);
    if (socket) void this.attach(socket, false).catch((err: unknown) => this.ctx.log.warn({ err, playerId }, "route look-up failed"));
  }

  /**
   * Puts a socket back into its player's running match, if any: room, input route, the pointer's full
   * TTL again (the reconnect grace had shortened it), and with `tell`, match:start plus the latest state.
   */
  private async attach(socket: AppSocket, tell: boolean): Promise<void> {
    const pid = socket.data.playerId;
    const k = this.ctx.keys;
    const matchId = await this.ctx.redis.get(k.playerMatch(pid));
    if (!matchId) return;
    const [record, recordTtl, host] = await Promise.all([readMatchRecord(this.ctx.redis, k, matchId), this.ctx.redis.pttl(k.match(matchId)), this.currentHost(matchId)]);
    if (!record || record.status === "ended" || !socket.connected) return;
    const index = record.players.findIndex((p) => p.playerId === pid);
    if (index < 0) return;
    socket.join(rooms.match(matchId));
    this.router.setRoute(pid, { socketId: socket.id, matchId, index });
    if (host) this.router.setHost(matchId, host);
    if (recordTtl > 0) await this.ctx.redis.pexpire(k.playerMatch(pid), recordTtl);
    // Not started yet: the host's announcement will reach this socket, it is in the player room now.
    if (!tell || record.status !== "running") return;
    const state = await this.latestState(record);
    socket.emit("match:start", { ...matchStartOf(record, state, this.ctx.config.TICK_HZ), you: index });
    socket.emit("match:snapshot", toSnapshot(state, matchId));
  }

  /** The freshest state this node can see: live when hosted here, else the checkpoint, else the seed. */
  private async latestState(record: MatchRecord) {
    const local = this.hosts.get(record.matchId);
    if (local) return local.state;
    const cp = parseCheckpoint(await this.ctx.redis.get(this.ctx.keys.matchCheckpoint(record.matchId)), record.players.length);
    return cp?.state ?? MatchHost.create(record, { durationMs: this.ctx.config.MATCH_DURATION_MS, countdownMs: this.ctx.config.MATCH_COUNTDOWN_MS });
  }
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Builds the matches module (needs the nodes module: registry and inbox). */
export function createMatchesModule(ctx: NodeContext, nodes: NodesModule, opts?: MatchesModuleOptions): MatchesModule {
  return new MatchesModule(ctx, nodes, opts);
}
