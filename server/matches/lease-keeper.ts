/**
 * Keeps the leases of the matches this node hosts: renews them every third of MATCH_LEASE_MS and
 * checkpoints them every CHECKPOINT_INTERVAL_MS (fenced writes). A host stops ticking the moment its lease
 * may have lapsed by its own clock (no renewal confirmed within the lease time), and drops the match when
 * Redis says the lease is someone else's: a stalled host that wakes up never broadcasts next to its
 * successor.
 *
 * A lease that lapsed while nobody else took the match (this node stalled, or Redis was unreachable or
 * restarted) is taken back: the next token is then exactly ours + 1 and this node's state is the newest,
 * so the match goes on without the rewind to the last checkpoint a successor would cause.
 */
import type { MatchHost } from "./match-host.ts";
import { validUntil, type MatchRuntime } from "./match-runtime.ts";

export class LeaseKeeper {
  constructor(private readonly rt: MatchRuntime) {}

  /** Renews every running match's lease in one round trip per Redis node. */
  async renew(): Promise<void> {
    // Ending hosts confirm their lease themselves (the end deletes it).
    const hosts = this.rt.hosted.running();
    if (!hosts.length) return;
    const sentAt = performance.now();
    const res = await this.rt.leases.renewAll(hosts);
    hosts.forEach((h, i) => {
      if (res[i] === true) h.lease.validUntil = validUntil(this.rt.timings, sentAt);
      else if (res[i] === false) void this.reclaim(h);
    });
  }

  /** Checkpoints every running match whose lease is trusted. */
  async checkpoint(): Promise<void> {
    const now = this.rt.core.now();
    const t = performance.now();
    const entries = this.rt.hosted
      .running()
      .filter((h) => t <= h.lease.validUntil)
      .map((host) => ({ host, json: host.checkpoint(now) }));
    const res = await this.rt.leases.checkpointAll(entries);
    entries.forEach(({ host }, i) => {
      if (res[i] === false) void this.reclaim(host);
    });
  }

  /** A running match's lease was refused: take it back if nobody hosted it meanwhile, else let go. */
  async reclaim(h: MatchHost): Promise<void> {
    if (h.status !== "running") return;
    h.status = "reclaiming";
    const back = await this.retake(h);
    if (back && h.status === "reclaiming" && !this.rt.hosted.stopped) {
      h.status = "running";
      this.rt.core.log.warn({ matchId: h.matchId, token: h.lease.token }, "lease lapsed and taken back; nobody hosted the match meanwhile");
      return;
    }
    this.rt.hosted.drop(h, "lease lost");
  }

  /**
   * Takes a lapsed lease back when the next token is ours + 1 (nobody held it since); true when this node
   * holds it again, with `h.lease` updated. Otherwise gives back whatever it took and answers false.
   */
  async retake(h: MatchHost): Promise<boolean> {
    try {
      const sentAt = performance.now();
      const res = await this.rt.leases.acquire(h.matchId);
      if (res.ok && res.token === h.lease.token + 1) {
        h.lease = { token: res.token, value: res.value, validUntil: validUntil(this.rt.timings, sentAt) };
        return true;
      }
      if (res.ok) await this.rt.leases.release(h.matchId, res.value);
      return false;
    } catch (err) {
      this.rt.core.log.warn({ err, matchId: h.matchId }, "could not take a lapsed lease back");
      return false;
    }
  }
}
