/**
 * Device login against `POST /api/sessions`: a random device id kept for good (same device -> same player
 * id), the bearer token and name kept in localStorage so a reload reconnects without asking again.
 */
import { normalizeName } from "../../shared/name-rules.ts";
import type { ErrorBody } from "../../shared/errors.ts";

const KEY = { device: "arena.deviceId", token: "arena.token", name: "arena.name", playerId: "arena.playerId" } as const;

/** localStorage, or memory when storage is blocked (private mode, sandboxed frames). */
const memory = new Map<string, string>();
function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}
function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    if (value === null) memory.delete(key);
    else memory.set(key, value);
  }
}

/** An HTTP failure carrying the server's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.body?.code;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const json = (await res.json()) as { error?: ErrorBody };
    return new ApiError(res.status, json.error ?? null);
  } catch {
    return new ApiError(res.status, null);
  }
}

function newDeviceId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  // base64url without padding: 22 characters of the alphabet the server accepts.
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class Session {
  readonly deviceId: string;
  token: string | null = load(KEY.token);
  name: string | null = load(KEY.name);
  playerId: string | null = load(KEY.playerId);

  constructor() {
    let id = load(KEY.device);
    if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
      id = newDeviceId();
      save(KEY.device, id);
    }
    this.deviceId = id;
  }

  /** Logs in with a display name; throws ApiError (e.g. INVALID_NAME, RATE_LIMITED). */
  async login(rawName: string): Promise<void> {
    const name = normalizeName(rawName);
    if (name === null) throw new ApiError(400, { code: "INVALID_NAME", message: "Use 1-20 letters, digits, spaces, _ or -" });
    const res = await fetch("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ deviceId: this.deviceId, name }),
    });
    if (res.status !== 201) throw await errorOf(res);
    const body = (await res.json()) as { token: string; playerId: string; name: string };
    this.token = body.token;
    this.name = body.name;
    this.playerId = body.playerId;
    save(KEY.token, body.token);
    save(KEY.name, body.name);
    save(KEY.playerId, body.playerId);
  }

  /** Logs in again with the remembered name (the token expired or was revoked). */
  async relogin(): Promise<void> {
    if (!this.name) throw new ApiError(401, { code: "INVALID_TOKEN", message: "Log in again" });
    await this.login(this.name);
  }

  /** Checks the stored token; false when there is none or the server no longer knows it. */
  async check(): Promise<boolean> {
    if (!this.token) return false;
    const res = await fetch("/api/me", { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 401) {
      this.forgetToken();
      return false;
    }
    if (!res.ok) throw await errorOf(res);
    const me = (await res.json()) as { playerId: string; name: string };
    this.playerId = me.playerId;
    this.name = me.name;
    return true;
  }

  async logout(): Promise<void> {
    const token = this.token;
    this.forgetToken();
    if (token) await fetch("/api/sessions/current", { method: "DELETE", headers: { authorization: `Bearer ${token}` } }).catch(() => {});
  }

  forgetToken(): void {
    this.token = null;
    save(KEY.token, null);
  }
}
