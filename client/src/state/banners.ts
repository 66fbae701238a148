/**
 * Banner transitions: server notices (the reason just before the server closes the socket), client
 * messages, and the operator's announcement in a banner of its own. Pure; the timer that hides a
 * non-sticky banner is a command, its expiry an action.
 */
import type { Notice } from "../../../shared/protocol.ts";
import type { AppState, Command } from "./types.ts";

type Next = [AppState, Command[]];

/** How long a non-sticky banner stays. */
export const BANNER_MS = 6000;
/** Notices kept for the debug view. */
const NOTICES_KEPT = 50;

export function showBanner(s: AppState, text: string, opts: { action?: string; sticky?: boolean } = {}): Next {
  const id = s.bannerSeq + 1;
  const sticky = opts.sticky ?? false;
  const next = { ...s, bannerSeq: id, banner: { id, text, action: opts.action ?? null, sticky } };
  return [next, sticky ? [] : [{ type: "banner-timer", id, ms: BANNER_MS }]];
}

/**
 * After SESSION_REPLACED, KICKED or BANNED the connection has stopped for good (reconnecting on our own
 * would fight the other tab or the server): the banner's button is the only way back. Other notices
 * (SERVER_SHUTTING_DOWN, INPUT_FLOOD, ...) come before a reconnect the connection makes by itself.
 */
export function notice(s: AppState, n: Notice): Next {
  const seen = { ...s, notices: [...s.notices, n].slice(-NOTICES_KEPT) };
  if (n.code === "SESSION_REPLACED") return showBanner(seen, "You are playing in another tab or device.", { action: "Play here", sticky: true });
  if (n.code === "KICKED" || n.code === "BANNED") return showBanner(seen, n.message || "Disconnected by the server.", { action: "Reconnect", sticky: true });
  return showBanner(seen, n.message);
}

/** The banner's button: hide it and connect again. */
export function act(s: AppState): Next {
  if (!s.banner?.action) return [s, []];
  return [{ ...s, banner: null }, [{ type: "connect" }]];
}

export function expired(s: AppState, id: number): AppState {
  return s.banner?.id === id ? { ...s, banner: null } : s;
}
