/**
 * Player search by name prefix: a sorted set whose members all score 0, so Redis orders them by bytes and
 * ZRANGE ... BYLEX finds a prefix in O(log n). Members are "<folded name>\0<name>\0<playerId>" (folded: NFKC,
 * lower case, so "zoë" finds "Zoë"); a hash remembers each player's member so a rename replaces it.
 * UTF-8 never contains the byte 0xFF, so "[prefix" .. "[prefix\xFF" bounds exactly the names starting
 * with the prefix, in any script.
 */
import type { Redis } from "ioredis";

const SEP = "\u0000";

/** The form names are indexed and searched by. */
export function foldName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("und").trim();
}

export class NameIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: { names: string; namesById: string },
  ) {}

  /** Indexes a player's current name (idempotent; replaces the previous one). */
  async record(playerId: string, name: string): Promise<void> {
    const member = `${foldName(name)}${SEP}${name}${SEP}${playerId}`;
    const previous = await this.redis.hget(this.keys.namesById, playerId);
    if (previous === member) return;
    // Two keys, two commands: each is idempotent, and a search never shows a player id twice (see find).
    await this.redis.zadd(this.keys.names, 0, member);
    await this.redis.hset(this.keys.namesById, playerId, member);
    if (previous !== null) await this.redis.zrem(this.keys.names, previous);
  }

  /** Players whose name starts with `prefix` (case-insensitive), in name order, at most `limit`. */
  async find(prefix: string, limit: number): Promise<{ playerId: string; name: string }[]> {
    const folded = foldName(prefix);
    if (!folded || folded.includes(SEP)) return [];
    const min = Buffer.from(`[${folded}`, "utf8");
    const max = Buffer.concat([Buffer.from(`[${folded}`, "utf8"), Buffer.from([0xff])]);
    const members = await this.redis.zrangeBuffer(this.keys.names, min, max, "BYLEX", "LIMIT", 0, limit * 2);
    const seen = new Set<string>();
    const out: { playerId: string; name: string }[] = [];
    for (const raw of members) {
      const [, name = "", playerId = ""] = raw.toString("utf8").split(SEP);
      if (seen.has(playerId)) continue;
      seen.add(playerId);
      out.push({ playerId, name });
      if (out.length >= limit) break;
    }
    return out;
  }
}
