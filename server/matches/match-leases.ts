/**
 * The host lease of a match and every write fenced by it, over the Lua scripts `matchLease*`,
 * `matchCheckpoint` and `matchFinish`. A lease is "<nodeId>|<token>" with a PX expiry; the token comes
 * from a per-match counter bumped at each acquisition, so a host that lost its lease (stalled past it,
 * partitioned) holds a value nobody else has and every write it attempts is refused.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { StaleFencingTokenError } from "../errors.ts";
import type { MatchHost } from "./match-host.ts";

/** Negative results of the lease scripts, by name. */
export const LeaseCode = {
  /** acquire: the match record is gone. */
  GONE: -1,
  /** acquire: the match has ended. */
  ENDED: -2,
  /** acquire: another node holds the lease. */
  HELD: -3,
  /** renew / release / checkpoint / finish: the caller's lease is not the current one. */
  STALE: -1,
} as const;

export type AcquireResult =
  | { ok: true; token: number; value: string; previousStatus: string }
  | { ok: false; reason: "gone" | "ended" | "held" };

/** Maps a fenced write's reply to success or StaleFencingTokenError (the one failure these scripts name). */
export function checkFenced(reply: number, what: string, matchId: string): void {
  if (reply === LeaseCode.STALE) throw new StaleFencingTokenError(`${what} of match ${matchId} refused: lease lost`);
}

export class MatchLeases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly nodeId: string,
    private readonly leaseMs: number,
    /** TTL for lease-related keys when a match record carries none (it always should). */
    private readonly fallbackTtlMs: number,
  ) {}

  /** Tries to take the lease of a match for this node. */
  async acquire(matchId: string): Promise<AcquireResult> {
    const k = this.keys;
    const res = await this.scripts.run("matchLeaseAcquire", [k.matchLease(matchId), k.matchLeaseFence(matchId), k.match(matchId)], [this.nodeId, this.leaseMs, this.fallbackTtlMs]);
    if (typeof res === "number") {
      return { ok: false, reason: res === LeaseCode.GONE ? "gone" : res === LeaseCode.ENDED ? "ended" : "held" };
    }
    const token = Number(res[0]);
    return { ok: true, token, value: `${this.nodeId}|${token}`, previousStatus: String(res[1]) };
  }

  /**
   * Renews the leases of many hosted matches in one round trip. Per match: true renewed, false stale (stop
   * hosting it), null unknown (Redis error; the local expiry decides).
   */
  async renewAll(hosts: readonly MatchHost[]): Promise<(boolean | null)[]> {
    if (hosts.length === 0) return [];
    const p = this.redis.pipeline();
    for (const h of hosts) this.scripts.queue(p, "matchLeaseRenew", [this.keys.matchLease(h.matchId)], [h.lease.value, this.leaseMs]);
    const res = (await p.exec()) ?? [];
    return hosts.map((_, i) => {
      const [err, reply] = res[i] ?? [new Error("no reply"), null];
      if (err) return null;
      return reply === 1;
    });
  }

  /** Writes many checkpoints in one round trip; per match true written, false stale, null unknown. */
  async checkpointAll(entries: readonly { host: MatchHost; json: string }[]): Promise<(boolean | null)[]> {
    if (entries.length === 0) return [];
    const p = this.redis.pipeline();
    for (const { host, json } of entries) {
      const id = host.matchId;
      this.scripts.queue(p, "matchCheckpoint", [this.keys.matchLease(id), this.keys.matchCheckpoint(id), this.keys.match(id)], [host.lease.value, json, this.fallbackTtlMs]);
    }
    const res = (await p.exec()) ?? [];
    return entries.map((_, i) => {
      const [err, reply] = res[i] ?? [new Error("no reply"), null];
      if (err) return null;
      return reply === 1;
    });
  }

  /** Checkpoints then releases one lease (graceful stop): the next host resumes from exactly here. */
  async handOver(host: MatchHost, json: string): Promise<void> {
    const id = host.matchId;
    const k = this.keys;
    const p = this.redis.pipeline();
    this.scripts.queue(p, "matchCheckpoint", [k.matchLease(id), k.matchCheckpoint(id), k.match(id)], [host.lease.value, json, this.fallbackTtlMs]);
    this.scripts.queue(p, "matchLeaseRelease", [k.matchLease(id)], [host.lease.value]);
    await p.exec();
  }

  /** Fenced end of a match: status "ended" with results, checkpoint and lease dropped. Throws StaleFencingTokenError. */
  async finish(host: MatchHost, endedAt: number, resultsJson: string, keepMs: number): Promise<void> {
    const id = host.matchId;
    const k = this.keys;
    const reply = await this.scripts.run("matchFinish", [k.matchLease(id), k.matchCheckpoint(id), k.match(id), k.matchLeaseFence(id)], [host.lease.value, endedAt, resultsJson, keepMs]);
    checkFenced(reply, "finish", id);
  }

  /** Confirms this node still holds the lease (extending it). Throws StaleFencingTokenError. */
  async confirm(host: MatchHost): Promise<void> {
    const reply = await this.scripts.run("matchLeaseRenew", [this.keys.matchLease(host.matchId)], [host.lease.value, this.leaseMs]);
    checkFenced(reply, "renew", host.matchId);
  }
}
