/** Test helpers for the admin area: HTTP calls with a bearer token and /admin namespace clients. */
import { io as ioClient, type Socket } from "socket.io-client";
import type { AdminClientToServerEvents, AdminServerToClientEvents } from "../../shared/admin-events.ts";
import type { AdminAck } from "../../shared/admin-api.ts";

export type AdminClient = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

/**
 * Calls an admin route; `token` null sends no Authorization header. `ip` is sent as X-Forwarded-For (the
 * client address a node with TRUST_PROXY sees): wrong tokens count against an address, so tests that
 * guess on purpose spread their guesses over addresses.
 */
export async function adminCall<T = unknown>(node: { url: string }, method: string, path: string, token: string | null, body?: unknown, ip?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (ip) headers["x-forwarded-for"] = ip;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${node.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Connects to the /admin namespace (from `ip` through X-Forwarded-For when given); rejects with the connect_error data. */
export function connectAdmin(node: { url: string }, token: string | undefined, ip?: string): Promise<AdminClient> {
  return new Promise((ok, fail) => {
    const extraHeaders = ip ? { "x-forwarded-for": ip } : undefined;
    const s: AdminClient = ioClient(`${node.url}/admin`, { transports: ["websocket"], auth: token === undefined ? {} : { token }, reconnection: false, forceNew: true, extraHeaders });
    s.once("connect", () => ok(s));
    s.once("connect_error", (err) => {
      s.close();
      fail(Object.assign(new Error(err.message), { data: (err as Error & { data?: unknown }).data }));
    });
  });
}

/** Emits an acked admin event. */
export function adminRequest<T>(s: AdminClient, event: keyof AdminClientToServerEvents, payload: unknown, timeoutMs = 5000): Promise<AdminAck<T>> {
  return (s as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<AdminAck<T>>;
}
