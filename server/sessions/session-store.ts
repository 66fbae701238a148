/**
 * Guest/device sessions in Redis. A token is 256 random bits handed to the client once; Redis keeps only
 * its SHA-256 (the session id), so a Redis dump cannot be replayed as logins. Sessions slide: every use
 * pushes the expiry out by the configured TTL.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { InvalidNameError, InvalidTokenError } from "../errors.ts";
import { normalizeName } from "../../shared/name-rules.ts";

export interface Session {
  sessionId: string;
  playerId: string;
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
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs a device in: same deviceId, same playerId. Updates the display name. */
  async create(deviceId: string, rawName: string): Promise<NewSession> {
    const name = normalizeName(rawName);
    if (name === null) throw new InvalidNameError();
    const playerId = await this.playerForDevice(deviceId);
    const token = randomBytes(32).toString("base64url");
    const sessionId = sessionIdOf(token);
    const createdAt = this.now();
    const key = this.keys.session(sessionId);
    // Two hash slots (session, player): two commands sent together, one round trip.
    await Promise.all([
      this.redis.multi().hset(key, { playerId, name, createdAt: String(createdAt) }).pexpire(key, this.ttlSeconds * 1000).exec(),
      this.redis.hset(this.keys.player(playerId), { name, lastLoginAt: String(createdAt) }),
    ]);
    return { token, sessionId, playerId, name, createdAt, expiresAt: createdAt + this.ttlSeconds * 1000 };
  }

  private async playerForDevice(deviceId: string): Promise<string> {
    const key = this.keys.device(deviceId);
    const existing = await this.redis.get(key);
    if (existing) return existing;
    const fresh = randomBytes(9).toString("base64url");
    // NX: two concurrent first logins of one device agree on one id.
    const set = await this.redis.set(key, fresh, "NX");
    if (set === "OK") {
      await this.redis.hsetnx(this.keys.player(fresh), "createdAt", String(this.now()));
      return fresh;
    }
    return (await this.redis.get(key))!;
  }

  /** Resolves a token to its session and slides the expiry; throws InvalidTokenError when unknown/expired. */
  async authenticate(token: unknown): Promise<Session> {
    if (typeof token !== "string" || !TOKEN_RE.test(token)) throw new InvalidTokenError();
    const sessionId = sessionIdOf(token);
    const flat = await this.scripts.run("sessionTouch", [this.keys.session(sessionId)], [this.ttlSeconds * 1000]);
    if (!flat) throw new InvalidTokenError();
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    return {
      sessionId,
      playerId: h.playerId!,
      name: h.name!,
      createdAt: Number(h.createdAt),
      expiresAt: this.now() + this.ttlSeconds * 1000,
    };
  }

  /** Deletes a session (logout). Returns whether it existed. */
  async revoke(sessionId: string): Promise<boolean> {
    return (await this.redis.del(this.keys.session(sessionId))) === 1;
  }
}
