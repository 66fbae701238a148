/**
 * Who stands behind an address, so that limits hit the abuser and not the bystanders sharing it:
 *
 * - Good standing: each authenticated socket connection records its player in its address's set of
 *   players in good standing (newest first, capped, expiring after GOOD_STANDING_SECONDS). An address
 *   with such a player is never banned automatically (abuseRecord-3.lua): anonymous floods from it are
 *   refused by their rate limits, not answered by locking out a whole NAT. A banned player leaves the set.
 * - Ban evasion: when a player is banned, new devices (device ids never seen before) may not log in from
 *   the player's last address for NEW_DEVICE_BLOCK_SECONDS (at most the ban): a banned player cannot come
 *   straight back as a fresh guest. Players already known at that address log in as usual.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import { ipSubject, playerSubject } from "./subject.ts";

/** Most players remembered per address (the newest): enough to know someone vouches for it. */
const GOOD_STANDING_MAX = 1000;

export interface StandingSettings {
  /** How long a connection vouches for its address (0 = no vouching). */
  goodWindowMs: number;
  /** How long new devices are refused from a banned player's address (0 = never). */
  newDeviceBlockMs: number;
}

export class AddressStanding {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly settings: StandingSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** A player connected from an address (after every ban check passed). */
  async connected(playerId: string, ip: string): Promise<void> {
    const window = this.settings.goodWindowMs;
    if (window <= 0 && this.settings.newDeviceBlockMs <= 0) return;
    const good = this.keys.limits.goodStanding(ipSubject(ip).key);
    const t = this.now();
    const player = playerSubject(playerId);
    // Two slots (the address's, the player's): one command each, sent together.
    await Promise.all([
      window > 0
        ? this.redis
            .multi()
            .zadd(good, t, player.id)
            .zremrangebyscore(good, "-inf", t - window)
            .zremrangebyrank(good, 0, -GOOD_STANDING_MAX - 1)
            .pexpire(good, window)
            .exec()
        : null,
      this.redis.set(this.keys.limits.lastAddress(player.key), ip, "PX", Math.max(window, this.settings.newDeviceBlockMs, 60_000)),
    ]);
  }

  /**
   * A player was banned (automatically or by an operator): it stops vouching for its address, and new
   * devices are refused from that address for a while. `ip` is where the offence came from, when known;
   * otherwise the player's last address.
   */
  async playerBanned(playerId: string, ip: string | undefined, banMs: number): Promise<void> {
    const player = playerSubject(playerId);
    const address = ip ?? (await this.redis.get(this.keys.limits.lastAddress(player.key)));
    if (!address) return;
    const subject = ipSubject(address).key;
    const blockMs = Math.min(banMs, this.settings.newDeviceBlockMs);
    const m = this.redis.multi().zrem(this.keys.limits.goodStanding(subject), player.id);
    if (blockMs > 0) {
      const key = this.keys.limits.newDevices(subject);
      // NX then GT: a shorter ban never shortens a block already running.
      m.set(key, `player ${player.id} banned`, "PX", blockMs, "NX").pexpire(key, blockMs, "GT");
    }
    await m.exec();
  }

  /** A player's ban was lifted: the new-device block their ban put on their address goes with it. */
  async playerLifted(playerId: string): Promise<void> {
    const player = playerSubject(playerId);
    const address = await this.redis.get(this.keys.limits.lastAddress(player.key));
    if (!address) return;
    const key = this.keys.limits.newDevices(ipSubject(address).key);
    if ((await this.redis.get(key)) === `player ${player.id} banned`) await this.redis.del(key);
  }

  /** Ms left during which new devices may not log in from an address (0 when they may). */
  async newDevicesBlockedFor(ip: string): Promise<number> {
    if (this.settings.newDeviceBlockMs <= 0) return 0;
    return Math.max(0, await this.redis.pttl(this.keys.limits.newDevices(ipSubject(ip).key)));
  }
}
