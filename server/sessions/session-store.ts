/**
 * Guest/device sessions in Redis. A token is 256 random bits handed to the client once; Redis keeps only
 * its SHA-256 (the session id), so a Redis dump cannot be replayed as logins. Sessions slide: every use
 * pushes the expiry out by the configured TTL.
 *
 * Each device holds at most `maxPerDevice` live sessions: its sessions are indexed in a sorted set on the
 * device's own slot (created at -> id), and a login beyond the cap revokes the oldest. The index makes
 * "log out everywhere" (all of a device's sessions) one read.
 */
import { createHash, randomBytes } from "node:crypto";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { InvalidNameError, InvalidTokenError } from "../errors.ts";
import { normalizeName } from "../../shared/name-rules.ts";
import type { PlayerStore } from "../players/player-store.ts";

export interface Session {
  sessionId: string;
  playerId: string;
  /** The device that logged in (null for sessions created before devices were recorded). */
  deviceId: string | null;
  name: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewSession extends Session {
  token: string;
}

/** SHA-256 hex of a token: the only form a token takes in Redis. */
export function sessionIdOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly players: PlayerStore,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly maxPerDevice = 5,
  ) {}

  private get ttlMs(): number {
    return this.ttlSeconds * 1000;
  }

  /** Logs a device in: same deviceId, same playerId. Updates the display name. */
  async create(deviceId: string, rawName: string): Promise<NewSession> {
    const name = normalizeName(rawName);
    if (name === null) throw new InvalidNameError();
    const playerId = await this.players.forDevice(deviceId);
    const token = randomBytes(32).toString("base64url");
    const sessionId = sessionIdOf(token);
    const createdAt = this.now();
    const key = this.keys.sessions.session(sessionId);
    // Three hash slots (session, player, device index): commands sent together, one round trip.
    const [, , evicted] = await Promise.all([
      this.redis.multi().hset(key, { playerId, deviceId, name, createdAt: String(createdAt) }).pexpire(key, this.ttlMs).exec(),
      this.players.recordLogin(playerId, name, createdAt),
      this.scripts.run("sessionIndexAdd", [this.keys.sessions.device(deviceId)], [sessionId, createdAt, this.ttlMs, this.maxPerDevice]),
    ]);
    // The oldest sessions beyond the cap stop working now (each lives on its own slot).
    if (evicted.length) await Promise.all(evicted.map((sid) => this.redis.del(this.keys.sessions.session(sid))));
    return { token, sessionId, playerId, deviceId, name, createdAt, expiresAt: createdAt + this.ttlMs };
  }

  /** Resolves a token to its session and slides the expiry; throws InvalidTokenError when unknown/expired. */
  async authenticate(token: unknown): Promise<Session> {
    if (typeof token !== "string" || !TOKEN_RE.test(token)) throw new InvalidTokenError();
    const sessionId = sessionIdOf(token);
    const flat = await this.scripts.run("sessionTouch", [this.keys.sessions.session(sessionId)], [this.ttlMs]);
    if (!flat) throw new InvalidTokenError();
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    if (h.deviceId) {
      // The index lives as long as the device's newest use: a session in use keeps it (and itself in it).
      const idx = this.keys.sessions.device(h.deviceId);
      this.redis.multi().zadd(idx, "NX", h.createdAt ?? "0", sessionId).pexpire(idx, this.ttlMs).exec().catch(() => {});
    }
    return {
      sessionId,
      playerId: h.playerId!,
      deviceId: h.deviceId ?? null,
      name: h.name!,
      createdAt: Number(h.createdAt),
      expiresAt: this.now() + this.ttlSeconds * 1000,
    };
  }

  /** Deletes a session (logout). Returns whether it existed. */
  async revoke(session: Pick<Session, "sessionId" | "deviceId">): Promise<boolean> {
    const [deleted] = await Promise.all([
      this.redis.del(this.keys.sessions.session(session.sessionId)),
      session.deviceId ? this.redis.zrem(this.keys.sessions.device(session.deviceId), session.sessionId) : null,
    ]);
    return deleted === 1;
  }

  /** Deletes every session of a device (log out everywhere). Returns how many existed. */
  async revokeDevice(deviceId: string): Promise<number> {
    const idx = this.keys.sessions.device(deviceId);
    const ids = await this.redis.zrange(idx, 0, "-1");
    const deleted = await Promise.all(ids.map((sid) => this.redis.del(this.keys.sessions.session(sid))));
    await this.redis.del(idx);
    return deleted.reduce((n, d) => n + d, 0);
  }

  /** Slides a session's expiry from now (a socket's lifetime counts as use). */
  async slide(sessionId: string): Promise<void> {
    await this.redis.pexpire(this.keys.sessions.session(sessionId), this.ttlSeconds * 1000);
  }
}
