/**
 * The live channel: one socket to the /admin namespace (admin token in the handshake auth), and a hook
 * that subscribes a component to a view while it is mounted, re-subscribing after every reconnect (a new
 * socket starts with no subscriptions).
 */
import { io, type Socket } from "socket.io-client";
import { useEffect, useState } from "preact/hooks";
import type { AdminAck } from "../../../shared/admin-api.ts";
import type { AdminClientToServerEvents, AdminServerToClientEvents, AdminView, AdminViews } from "../../../shared/admin-events.ts";

export type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;
export type LiveStatus = "connecting" | "live" | "down";

let socket: AdminSocket | null = null;
const statusListeners = new Set<(s: LiveStatus, detail?: string) => void>();
let status: LiveStatus = "connecting";

function setStatus(s: LiveStatus, detail?: string): void {
  status = s;
  for (const l of statusListeners) l(s, detail);
}

/** Opens the channel; `onRefused` is told when the server refuses the token. */
export function connectLive(token: string, onRefused: (message: string) => void): AdminSocket {
  socket?.close();
  const s: AdminSocket = io("/admin", { transports: ["websocket"], auth: { token }, reconnectionDelayMax: 5000 });
  s.on("connect", () => setStatus("live"));
  s.on("disconnect", () => setStatus("connecting"));
  s.on("connect_error", (err) => {
    const code = (err as Error & { data?: { code?: string } }).data?.code;
    if (code === "FORBIDDEN" || code === "UNAUTHORIZED" || code === "NOT_FOUND") {
      s.close();
      setStatus("down", err.message);
      onRefused(err.message);
    } else setStatus("down", err.message);
  });
  socket = s;
  return s;
}

export function closeLive(): void {
  socket?.close();
  socket = null;
}

export function liveSocket(): AdminSocket | null {
  return socket;
}

/** The channel's status, as state. */
export function useLiveStatus(): LiveStatus {
  const [s, set] = useState(status);
  useEffect(() => {
    const l = (x: LiveStatus) => set(x);
    statusListeners.add(l);
    return () => void statusListeners.delete(l);
  }, []);
  return s;
}

/** Emits an acked admin event. */
export async function request<T>(event: keyof AdminClientToServerEvents, payload: unknown): Promise<T> {
  if (!socket) throw new Error("not connected");
  const ack = (await (socket as unknown as Socket).timeout(8000).emitWithAck(event, payload)) as AdminAck<T>;
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data;
}

/** The latest data of a view, pushed live while the component is mounted (null until the first). */
export function useView<V extends AdminView>(view: V): AdminViews[V] | null {
  const [data, setData] = useState<AdminViews[V] | null>(null);
  useEffect(() => {
    const s = socket;
    if (!s) return;
    const event: string = `admin:${view}`;
    const raw = s as unknown as Socket;
    const onData = (d: unknown) => setData(d as AdminViews[V]);
    const subscribe = () => void request<AdminViews[V]>("admin:subscribe", { view }).then(setData, () => {});
    raw.on(event, onData);
    s.on("connect", subscribe);
    if (s.connected) subscribe();
    return () => {
      raw.off(event, onData);
      s.off("connect", subscribe);
      if (s.connected) void request("admin:unsubscribe", { view }).catch(() => {});
    };
  }, [view]);
  return data;
}
