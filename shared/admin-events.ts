/**
 * The /admin socket.io namespace: view subscriptions (a node computes a view only while one of its admin
 * sockets subscribes to it, and pushes it to them at the view's period), the live match view, and the
 * handshake data. Typed event maps for server and dashboard (generics reversed), as in shared/protocol.ts.
 */
import type { AbuseView, AdminAckFn, AdminOverview, AdminSeries, AuditPage, AdminMatchSnapshot, MatchDetail, MatchList, MatchmakingView } from "./admin-api.ts";

/** What a view subscription pushes, keyed by view; the event name is `admin:<view>`. */
export interface AdminViews {
  overview: AdminOverview;
  series: AdminSeries;
  matchmaking: MatchmakingView;
  matches: MatchList;
  abuse: AbuseView;
  audit: AuditPage;
}
export type AdminView = keyof AdminViews;
export const ADMIN_VIEWS = ["overview", "series", "matchmaking", "matches", "abuse", "audit"] as const satisfies readonly AdminView[];
/** Push period of each view, ms. A node computes a view only while one of its admin sockets subscribes. */
export const VIEW_INTERVAL_MS: Readonly<Record<AdminView, number>> = { overview: 1000, series: 5000, matchmaking: 1000, matches: 1000, abuse: 2000, audit: 2000 };

export interface AdminClientToServerEvents {
  /** Starts pushes of a view to this socket; the ack carries the current data at once. */
  "admin:subscribe": (req: { view: AdminView }, ack: AdminAckFn<AdminViews[AdminView]>) => void;
  "admin:unsubscribe": (req: { view: AdminView }, ack: AdminAckFn<{ unsubscribed: true }>) => void;
  /** Watches one match (one at a time per socket); `admin:match:snapshot` follows until unwatched or ended. */
  "admin:match:watch": (req: { matchId: string }, ack: AdminAckFn<MatchDetail>) => void;
  "admin:match:unwatch": (req: Record<string, never>, ack: AdminAckFn<{ unwatched: true }>) => void;
}

export interface AdminServerToClientEvents {
  "admin:overview": (d: AdminOverview) => void;
  "admin:series": (d: AdminSeries) => void;
  "admin:matchmaking": (d: MatchmakingView) => void;
  "admin:matches": (d: MatchList) => void;
  "admin:abuse": (d: AbuseView) => void;
  "admin:audit": (d: AuditPage) => void;
  "admin:match:snapshot": (s: AdminMatchSnapshot) => void;
  /** The watched match is over (or gone); the watch stops. */
  "admin:match:gone": (g: { matchId: string }) => void;
}

/** What the /admin handshake stores on each admin socket. */
export interface AdminSocketData {
  label: string;
  ip: string;
}
