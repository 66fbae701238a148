/**
 * The host lease of a match and every write fenced by it, over the Lua scripts `matchLease*`,
 * `matchCheckpoint` and `matchFinish`. A lease is "<nodeId>|<token>" with a PX expiry; the token comes
 * from a per-match counter bumped at each acquisition, so a host that lost its lease (stalled past it,
 * partitioned) holds a value nobody else has and every write it attempts is refused.
 *
 * Calls about many matches send one script call per match (each match on its own slot), which ioredis
 * auto-pipelines into one round trip per Redis node.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { ScriptCode, scriptFailure } from "../redis/script-codes.ts";

export type AcquireResult =
  | { ok: true; token: number; value: string; previousStatus: string }
  | { ok: false; reason: "gone" | "ended" | "held" };

/** What the lease scripts need of a hosted match. */
export interface Leased {
  readonly matchId: string;
  lease: { value: string };
}

/** Per match: true done, false refused (the lease is someone else's), null unknown (Redis error). */
export type FencedOutcome = boolean | null;

const outcome = (p: Promise<number>): Promise<FencedOutcome> =>
  p.then(
    (reply) => reply === ScriptCode.OK,
    () => null,
  );

export class MatchLeases {
  private readonly k: Keys["matches"];

  constructor(
    private readonly redis: RedisClient,
    keys: Keys,
    private readonly scripts: Scripts,
    private readonly nodeId: string,
    private readonly leaseMs: number,
    /** TTL for lease-related keys when a match record carries none (it always should). */
    private readonly fallbackTtlMs: number,
  ) {
    this.k = keys.matches;
  }

  /** Tries to take the lease of a match for this node. */
  async acquire(matchId: string): Promise<AcquireResult> {
    const k = this.k;
    const res = await this.scripts.run("matchLeaseAcquire", [k.lease(matchId), k.leaseFence(matchId), k.record(matchId)], [this.nodeId, this.leaseMs, this.fallbackTtlMs]);
    if (typeof res === "number") {
      if (res === ScriptCode.MATCH_GONE) return { ok: false, reason: "gone" };
      if (res === ScriptCode.MATCH_ENDED) return { ok: false, reason: "ended" };
      if (res === ScriptCode.LEASE_HELD) return { ok: false, reason: "held" };
      throw scriptFailure(res, "matchLeaseAcquire");
    }
    const token = Number(res[0]);
    return { ok: true, token, value: `${this.nodeId}|${token}`, previousStatus: String(res[1]) };
  }

  /** Renews the leases of many hosted matches. */
  renewAll(hosts: readonly Leased[]): Promise<FencedOutcome[]> {
    return Promise.all(hosts.map((h) => outcome(this.scripts.run("matchLeaseRenew", [this.k.lease(h.matchId)], [h.lease.value, this.leaseMs]))));
  }

  /** Writes many checkpoints. */
  checkpointAll(entries: readonly { host: Leased; json: string }[]): Promise<FencedOutcome[]> {
    return Promise.all(entries.map(({ host, json }) => outcome(this.checkpointOne(host, json))));
  }

  private checkpointOne(host: Leased, json: string): Promise<number> {
    const id = host.matchId;
    return this.scripts.run("matchCheckpoint", [this.k.lease(id), this.k.checkpoint(id), this.k.record(id)], [host.lease.value, json, this.fallbackTtlMs]);
  }

  /** Checkpoints then releases one lease (graceful stop): the next host resumes from exactly here. */
  async handOver(host: Leased, json: string): Promise<void> {
    // One match, one slot: a pipeline (cluster-safe), checkpoint first.
    const p = this.redis.pipeline();
    this.scripts.queue(p, "matchCheckpoint", [this.k.lease(host.matchId), this.k.checkpoint(host.matchId), this.k.record(host.matchId)], [host.lease.value, json, this.fallbackTtlMs]);
    this.scripts.queue(p, "matchLeaseRelease", [this.k.lease(host.matchId)], [host.lease.value]);
    await p.exec();
  }

  /** Gives a lease up without a checkpoint (a match this node could not start hosting). */
  async release(matchId: string, leaseValue: string): Promise<void> {
    await this.scripts.run("matchLeaseRelease", [this.k.lease(matchId)], [leaseValue]);
  }

  /** Fenced end of a match: status "ended" with results, checkpoint and lease dropped. Throws StaleFencingTokenError. */
  async finish(host: Leased, endedAt: number, resultsJson: string, keepMs: number): Promise<void> {
    const id = host.matchId;
    const k = this.k;
    const reply = await this.scripts.run("matchFinish", [k.lease(id), k.checkpoint(id), k.record(id), k.leaseFence(id)], [host.lease.value, endedAt, resultsJson, keepMs]);
    if (reply !== ScriptCode.OK) throw scriptFailure(reply, `finish of match ${id}`);
  }

  /** Fenced final checkpoint. Throws StaleFencingTokenError when the lease is someone else's. */
  async checkpoint(host: Leased, json: string): Promise<void> {
    const reply = await this.checkpointOne(host, json);
    if (reply !== ScriptCode.OK) throw scriptFailure(reply, `checkpoint of match ${host.matchId}`);
  }

  /** Confirms this node still holds the lease (extending it). Throws StaleFencingTokenError. */
  async confirm(host: Leased): Promise<void> {
    const reply = await this.scripts.run("matchLeaseRenew", [this.k.lease(host.matchId)], [host.lease.value, this.leaseMs]);
    if (reply !== ScriptCode.OK) throw scriptFailure(reply, `renew of match ${host.matchId}`);
  }
}
