/**
 * Announcements: one `announce` emit on the players' namespace reaches every player on every node (the
 * Redis adapter fans it out), and the announcement is kept in Redis for its lifetime so players who
 * connect meanwhile, on any node, get it at connect.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Announcement } from "../../shared/protocol.ts";
import type { CurrentAnnouncement } from "../../shared/admin-api.ts";
import type { AppServer, AppSocket } from "../sockets/types.ts";

export const DEFAULT_ANNOUNCE_SECONDS = 300;

type Stored = NonNullable<CurrentAnnouncement["announcement"]>;

export class Announcements {
  constructor(
    private readonly d: { redis: RedisClient; key: string; io: AppServer; now: () => number },
  ) {}

  /** Shows a banner to every player now, and to those connecting within `ttlSeconds`. */
  async post(message: string, ttlSeconds: number, by: string): Promise<Stored> {
    const at = this.d.now();
    const stored: Stored = { message, at, by, expiresAt: at + ttlSeconds * 1000 };
    await this.d.redis.set(this.d.key, JSON.stringify(stored), "PX", ttlSeconds * 1000);
    const a: Announcement = { message, at };
    this.d.io.of("/").emit("announce", a);
    return stored;
  }

  /** The current announcement, if any. */
  async current(): Promise<CurrentAnnouncement> {
    const raw = await this.d.redis.get(this.d.key);
    if (!raw) return { announcement: null };
    try {
      return { announcement: JSON.parse(raw) as Stored };
    } catch {
      return { announcement: null };
    }
  }

  /** Stops showing it to players who connect from now on (banners already shown stay until closed). */
  async clear(): Promise<boolean> {
    return (await this.d.redis.del(this.d.key)) > 0;
  }

  /** Tells a newly connected player the current announcement. */
  async greet(socket: AppSocket): Promise<void> {
    const { announcement } = await this.current();
    if (announcement && announcement.expiresAt > this.d.now()) socket.emit("announce", { message: announcement.message, at: announcement.at });
  }
}
