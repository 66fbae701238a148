/**
 * Guest/device sessions in Redis. A token is 256 random bits handed to the client once; Redis keeps only
 * its SHA-256 (the session id), so a Redis dump cannot be replayed as logins. Sessions slide: every use
 * pushes the expiry out by the configured TTL.
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
  ) {}

  /** Logs a device in: same deviceId, same playerId. Updates the display name. */
  async create(deviceId: string, rawName: string): Promise<NewSession> {
    const name = normalizeName(rawName);
    if (name === null) throw new InvalidNameError();
    const playerId = await this.players.forDevice(deviceId);
    const token = randomBytes(32).toString("base64url");
    const sessionId = sessionIdOf(token);
    const createdAt = this.now();
    const key = this.keys.sessions.session(sessionId);
    // Two hash slots (session, player): two commands sent together, one round trip.
    await Promise.all([
      this.redis.multi().hset(key, { playerId, name, createdAt: String(createdAt) }).pexpire(key, this.ttlSeconds * 1000).exec(),
      this.players.recordLogin(playerId, name, createdAt),
    ]);
    return { token, sessionId, playerId, name, createdAt, expiresAt: createdAt + this.ttlSeconds * 1000 };
  }

  /** Resolves a token to its session and slides the expiry; throws InvalidTokenError when unknown/expired. */
  async authenticate(token: unknown): Promise<Session> {
    if (typeof token !== "string" || !TOKEN_RE.test(token)) throw new InvalidTokenError();
    const sessionId = sessionIdOf(token);
    const flat = await this.scripts.run("sessionTouch", [this.keys.sessions.session(sessionId)], [this.ttlSeconds * 1000]);
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
    return (await this.redis.del(this.keys.sessions.session(sessionId))) === 1;
  }

  /** Slides a session's expiry from now (a socket's lifetime counts as use). */
  async slide(sessionId: string): Promise<void> {
    await this.redis.pexpire(this.keys.sessions.session(sessionId), this.ttlSeconds * 1000);
  }
}
