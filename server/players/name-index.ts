/**
 * Player search by name prefix (the admin Players view). One sorted set per week of logins whose members
 * all score 0, so Redis orders them by bytes and `ZRANGE ... BYLEX` finds a prefix in O(log n). A member
 * is "<folded name>\0<name>\0<playerId>" (folded: NFKC, lower case, so "zoë" finds "Zoë"). Every login
 * adds the player to its week's set; a set expires NAME_INDEX_WEEKS after its week ends, so a player can
 * be found for at least four weeks after their last login, and the index is bounded by the logins of those
 * weeks (logins are rate-limited per address).
 *
 * A rename leaves the old member behind: a search checks each hit against the profile's current name
 * and drops (and deletes) the stale ones. UTF-8 never contains the byte 0xFF, so "[prefix" .. "[prefix\xFF"
 * bounds exactly the names starting with the prefix, in any script. Each set is one key (one slot).
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";

const SEP = "\u0000";
const WEEK_MS = 7 * 86_400_000;
/** Weeks of logins searched: this one and the four before it. */
export const NAME_INDEX_WEEKS = 5;

/** The form names are indexed and searched by. */
export function foldName(name: string): string {
  return name.normalize("NFKC").toLocaleLowerCase("und").trim();
}

const weekOf = (t: number) => Math.floor(t / WEEK_MS);

export interface NameHit {
  playerId: string;
  name: string;
}

export class NameIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /** Current display names of players (the profile), to drop hits left behind by a rename. */
    private readonly currentNames: (playerIds: readonly string[]) => Promise<(string | null)[]>,
  ) {}

  /** Indexes a player's name in the week of `at` (idempotent). */
  async add(playerId: string, name: string, at: number): Promise<void> {
    const week = weekOf(at);
    const key = this.keys.players.names(week);
    const res = await this.redis
      .multi()
      .zadd(key, 0, `${foldName(name)}${SEP}${name}${SEP}${playerId}`)
      .pexpireat(key, (week + NAME_INDEX_WEEKS) * WEEK_MS)
      .exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Players whose current name starts with `prefix` (case-insensitive), in name order, at most `limit`. */
  async find(prefix: string, limit: number, now: number): Promise<NameHit[]> {
    const folded = foldName(prefix);
    if (!folded || folded.includes(SEP) || limit <= 0) return [];
    const min = Buffer.from(`[${folded}`, "utf8");
    const max = Buffer.concat([min, Buffer.from([0xff])]);
    const week = weekOf(now);
    const weeks = Array.from({ length: NAME_INDEX_WEEKS }, (_, i) => week - i);
    // One command per week's set (each its own key), auto-pipelined into one round trip.
    const lists = await Promise.all(weeks.map((w) => this.redis.zrangeBuffer(this.keys.players.names(w), min, max, "BYLEX", "LIMIT", 0, limit * 2)));
    const members = lists.flatMap((list, i) => list.map((raw) => ({ raw, week: weeks[i]! }))).sort((a, b) => Buffer.compare(a.raw, b.raw));
    const seen = new Set<string>();
    const candidates: (NameHit & { member: Buffer; week: number })[] = [];
    for (const m of members) {
      const [, name = "", playerId = ""] = m.raw.toString("utf8").split(SEP);
      const id = `${playerId}${SEP}${name}`;
      if (!playerId || seen.has(id)) continue;
      seen.add(id);
      candidates.push({ playerId, name, member: m.raw, week: m.week });
    }
    const current = await this.currentNames(candidates.map((c) => c.playerId));
    const out: NameHit[] = [];
    const found = new Set<string>();
    candidates.forEach((c, i) => {
      if (current[i] !== c.name) {
        // Left behind by a rename (or the profile is gone): not this player's name any more.
        void this.redis.zrem(this.keys.players.names(c.week), c.member).catch(() => {});
        return;
      }
      if (found.has(c.playerId) || out.length >= limit) return;
      found.add(c.playerId);
      out.push({ playerId: c.playerId, name: c.name });
    });
    return out;
  }
}
