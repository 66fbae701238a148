/**
 * The recent refusals and violations, for the admin Abuse view: a capped Redis Stream (XADD MAXLEN ~),
 * written by the abuse tracker's flush, so one entry stands for what one subject did in one flush
 * interval (~100 ms) on one node: a flood costs Redis one entry per subject and interval, not one per
 * refused request. The stream also expires a day after its last entry.
 */
import type { RefusalRow } from "../../shared/admin-api.ts";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";

/** Entries kept (approximately: MAXLEN ~ trims whole stream nodes). */
export const REFUSAL_FEED_MAX = 1000;
const FEED_TTL_MS = 86_400_000;

/** One entry of the feed: the admin API's row (shared/admin-api.ts). */
export type RefusalEntry = RefusalRow;

export class RefusalFeed {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly nodeId: string,
  ) {}

  /** Appends one entry (one key: cluster-safe). */
  async add(e: Omit<RefusalEntry, "id" | "at" | "nodeId"> & { at: number }): Promise<void> {
    const key = this.keys.limits.refusals;
    await this.redis
      .multi()
      .xadd(key, "MAXLEN", "~", REFUSAL_FEED_MAX, "*", "at", String(e.at), "subject", e.subject, "reason", e.reason, "detail", e.detail, "count", String(e.count), "score", String(e.score), "banned", e.banned ? "1" : "0", "node", this.nodeId)
      .pexpire(key, FEED_TTL_MS)
      .exec();
  }

  /** The newest `count` entries, newest first. */
  async recent(count: number): Promise<RefusalEntry[]> {
    const rows = (await this.redis.xrevrange(this.keys.limits.refusals, "+", "-", "COUNT", count)) as [string, string[]][];
    return rows.map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      const subject = f.subject ?? "";
      return {
        id,
        at: Number(f.at ?? id.split("-")[0]),
        subject,
        kind: subject.startsWith("p:") ? "player" : "ip",
        reason: f.reason ?? "",
        detail: f.detail ?? "",
        count: Number(f.count ?? 1),
        score: Number(f.score ?? 0),
        banned: f.banned === "1",
        nodeId: f.node ?? "",
      };
    });
  }
}
