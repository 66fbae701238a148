/**
 * HTTP client of /admin/api: the token from sessionStorage as a bearer header (never in a URL), JSON in
 * and out, coded errors as AdminApiError.
 */
import type { AdminErrorBody } from "../../../shared/admin-api.ts";

const TOKEN_KEY = "arena.admin.token";

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: AdminErrorBody,
  ) {
    super(body.message);
  }
}

/** Told when the server refuses the token (the shell goes back to sign-in). */
let onAuthLost: (message: string) => void = () => {};
export function setAuthLostHandler(fn: (message: string) => void): void {
  onAuthLost = fn;
}

/** Calls an admin route; `token` overrides the stored one (sign-in). */
export async function api<T>(method: string, path: string, body?: unknown, token = tokenStore.get()): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token ?? ""}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/admin/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: AdminErrorBody } | null)?.error ?? { code: "INTERNAL", message: `HTTP ${res.status}` };
    if (res.status === 401 || res.status === 403) onAuthLost(err.message);
    throw new AdminApiError(res.status, err as AdminErrorBody);
  }
  return json as T;
}

/** Builds a query string from defined values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}
