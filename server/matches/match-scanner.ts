/**
 * Finds the matches this node should host. Every SCAN_INTERVAL_MS it reads the active list; a match nobody
 * holds the lease of is taken by its chosen host, or by anyone when that host is dead, never started it,
 * or let a running match's lease lapse (failover). Taking = Lua `matchLeaseAcquire` (SET NX PX + fencing
 * token in one step); the host then loads the checkpoint (or creates the match from its seed) and starts
 * ticking it.
 *
 * A running match whose lease lapsed while its host still heartbeats is left to that host for a grace:
 * after a Redis restart every lease has lapsed at once, and the hosts take their own matches back without
 * a rewind (lease-keeper.ts) instead of every match bouncing to another node.
 */
import type { MatchHostedNotice } from "../../shared/protocol.ts";
import { MatchHost, parseCheckpoint, type HostLease } from "./match-host.ts";
import { matchStartOf } from "./match-messages.ts";
import type { MatchRecord } from "./match-record.ts";
import { validUntil, type MatchRuntime } from "./match-runtime.ts";

/** How often every node looks for matches to host. */
export const SCAN_INTERVAL_MS = 250;
/** An active-list entry without a record is removed only after this long (the record may be in flight). */
const RECORD_WRITE_GRACE_MS = 30_000;

export interface ScannerHooks {
  /** A match is hosted here now: tell every node (and its players). */
  announce(n: MatchHostedNotice): void;
  /** A match taken over in its ended state: end it. */
  end(h: MatchHost): void;
  /** Finishes the end of a match whose host died after its fenced end: tells the players (once), bookkeeping. */
  recoverEnd(record: MatchRecord): Promise<void>;
}

export class MatchScanner {
  /** Matches hosted elsewhere, not worth re-reading before their lease could lapse (performance.now()). */
  private readonly skipUntil = new Map<string, number>();
  /** Running matches seen with a free lease while their host heartbeats: when first seen so. */
  private readonly freeSince = new Map<string, number>();
  private scanning = false;

  constructor(
    private readonly rt: MatchRuntime,
    private readonly hooks: ScannerHooks,
  ) {}

  /** One look at the active list; takes what this node should host. */
  async scan(): Promise<void> {
    const { hosted, store, core, nodes, timings } = this.rt;
    if (this.scanning || hosted.stopped) return;
    this.scanning = true;
    try {
      const active = await store.active();
      const t = performance.now();
      this.sweep(active, t);
      const candidates = [...active.keys()].filter((id) => !hosted.has(id) && !hosted.acquiring.has(id) && (this.skipUntil.get(id) ?? 0) <= t);
      if (!candidates.length) return;
      const glances = await store.glance(candidates);
      const now = core.now();
      const mine: string[] = [];
      const orphans: string[] = [];
      const gone: string[] = [];
      const ended: string[] = [];
      /** Matches whose host is not in our cached view of live nodes: maybe dead, maybe newer than the cache. */
      const unsure: { id: string; host: string; running: boolean }[] = [];
      for (const g of glances) {
        if (!g) continue;
        const id = g.matchId;
        // No record yet may just be a record still being written (the active-list entry and the record
        // live in different slots, written separately): only an old entry without a record is litter.
        if (g.status === "ended") ended.push(id);
        if (g.status === "ended" || (g.status === null && now - (active.get(id) ?? 0) > RECORD_WRITE_GRACE_MS)) gone.push(id);
        else if (g.status === null) continue;
        else if (g.leaseTtlMs > 0) {
          this.skipUntil.set(id, t + g.leaseTtlMs);
          this.freeSince.delete(id);
        } else if (g.hostNodeId === core.nodeId) mine.push(id);
        else if (!g.hostNodeId) orphans.push(id);
        else if (g.status === "running") unsure.push({ id, host: g.hostNodeId, running: true });
        else if (now - g.createdAt > timings.startGraceMs) orphans.push(id);
        else if (!nodes.isAlive(g.hostNodeId)) unsure.push({ id, host: g.hostNodeId, running: false });
      }
      if (unsure.length) {
        const alive = await nodes.registry.alive(unsure.map((u) => u.host));
        unsure.forEach((u, i) => {
          if (!alive[i]) return void orphans.push(u.id);
          // A new match whose chosen host lives: that host starts it.
          if (!u.running) return;
          // A running match whose host lives: give it the grace to take its own lease back.
          const since = this.freeSince.get(u.id) ?? t;
          this.freeSince.set(u.id, since);
          if (t - since >= timings.takeoverGraceMs) orphans.push(u.id);
        });
      }
      if (gone.length) await store.delist(gone.filter((id) => !ended.includes(id)));
      // Still listed although ended: its host died (or failed) between the fenced end and the bookkeeping.
      // Finish it, or its players would miss match:end and could not queue until their pointers expire.
      for (const id of ended) {
        const rec = await store.read(id);
        if (rec) await this.hooks.recoverEnd(rec);
        else await store.delist([id]);
      }
      // Orphans of a dead node are shared out: each node takes its part per pass (in random order, so
      // nodes racing for them mostly try different ones); the rest go in the next passes.
      const share = Math.ceil(orphans.length / nodes.liveCount());
      const picked = shuffle(orphans).slice(0, share);
      await Promise.all([...mine, ...picked].map((id) => this.tryHost(id)));
    } finally {
      this.scanning = false;
    }
  }

  private sweep(active: Map<string, number>, t: number): void {
    for (const [id, until] of this.skipUntil) if (!active.has(id) || until < t - 60_000) this.skipUntil.delete(id);
    for (const id of this.freeSince.keys()) if (!active.has(id)) this.freeSince.delete(id);
    this.rt.router.sweep((id) => this.rt.hosted.has(id) || active.has(id));
  }

  /** Takes the lease of a match and starts hosting it (no-op when another node holds it). */
  async tryHost(matchId: string): Promise<void> {
    const { hosted, leases, store, core, timings } = this.rt;
    if (hosted.stopped || hosted.has(matchId) || hosted.acquiring.has(matchId)) return;
    hosted.acquiring.add(matchId);
    let lease: HostLease | null = null;
    try {
      const sentAt = performance.now();
      const res = await leases.acquire(matchId);
      if (!res.ok) {
        // Held: look again when it could have lapsed. Gone or ended: the scan cleans the active list up.
        if (res.reason === "held") this.skipUntil.set(matchId, performance.now() + timings.leaseMs / 2);
        return;
      }
      this.freeSince.delete(matchId);
      lease = { token: res.token, value: res.value, validUntil: validUntil(timings, sentAt) };
      const [record, raw] = await Promise.all([store.read(matchId), store.checkpoint(matchId)]);
      if (!record || record.players.length === 0) throw new Error(`match ${matchId} has no readable record`);
      const cp = parseCheckpoint(raw, record.players.length);
      const state = cp?.state ?? MatchHost.create(record, { durationMs: core.config.MATCH_DURATION_MS, countdownMs: core.config.MATCH_COUNTDOWN_MS });
      const host = new MatchHost(matchId, record, lease, state, cp?.inputs, cp?.endedAt);
      if (hosted.stopped) {
        await leases.handOver(host, host.checkpoint(core.now()));
        return;
      }
      hosted.add(host);
      const resumed = res.previousStatus === "running" || cp !== null;
      if (resumed) core.log.info({ matchId, token: res.token, fromTick: state.tick }, "match taken over");
      this.hooks.announce({ matchId, hostNodeId: core.nodeId, resumed, start: matchStartOf(record, state, core.config.TICK_HZ) });
      if (host.ended) this.hooks.end(host);
    } catch (err) {
      core.log.error({ err, matchId }, "could not start hosting match");
      if (lease && !hosted.has(matchId)) await leases.release(matchId, lease.value).catch(() => {});
    } finally {
      hosted.acquiring.delete(matchId);
    }
  }
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
