/**
 * The realtime contract: typed socket.io event maps used by the server and (with the generics reversed)
 * by clients. Every client-to-server event takes one payload object and, where listed, an ack callback
 * that receives `Ack<T>`. docs/protocol.md documents each event for non-TypeScript clients.
 */
import type { ErrorBody } from "./errors.ts";
import type { EncodedSnapshot, InputFrame, MatchEnd, MatchStart } from "./game/types.ts";
import type { RegionId } from "./regions.ts";
import type { BoardsSubscribeRequest, Empty, LeaderboardPeriod, PingRequest, QueueJoinRequest } from "./schemas.ts";

/** Every ack: success with data, or a coded error. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T> = (res: Ack<T>) => void;

/** Ack of `queue:join`: the ticket, its home region and a rough (optimistic) wait estimate. */
export interface QueueJoined {
  ticketId: string;
  region: RegionId;
  estimatedWaitMs: number;
}

/** Pushed about once a second while waiting, by the node the player is connected to. */
export interface QueueStatus {
  ticketId: string;
  /** Home region of the ticket. */
  region: RegionId;
  elapsedMs: number;
  /** Current search radius (widens with the wait). */
  radiusKm: number;
  /** Current skill band (+- rating; widens with the wait). */
  skillBand: number;
  /** Other tickets within the radius of the current queue, skill ignored, capped at 100. */
  playersInRange: number;
  /** True once the ticket has moved on to the worldwide queue. */
  worldwide: boolean;
}

/** The server dropped a ticket the player did not leave (it expired, or was lost when a node died). */
export interface QueueCancelled {
  ticketId: string;
  reason: "expired";
}

export interface MatchFoundPlayer {
  playerId: string;
  name: string;
}

export interface MatchFound {
  matchId: string;
  players: MatchFoundPlayer[];
}

export interface MatchResumed {
  matchId: string;
  hostNodeId: string;
}

export interface LeaderboardEntry {
  rank: number;
  playerId: string;
  name: string;
  score: number;
}

export interface BoardsTop {
  period: LeaderboardPeriod;
  entries: LeaderboardEntry[];
}

/** `GET /api/leaderboards/:period`: one page; `instance` is "all", "YYYY-MM-DD" or "YYYY-Www". */
export interface LeaderboardPage {
  period: LeaderboardPeriod;
  instance: string;
  /** Players on the board. */
  total: number;
  entries: LeaderboardEntry[];
}

/** `GET /api/leaderboards/:period/around/:playerId`: the player's rank and their neighbours. */
export interface LeaderboardAround extends LeaderboardPage {
  rank: number;
}

export interface PlayerBoardRank {
  instance: string;
  rank: number;
  score: number;
}

/** `GET /api/players/:id`: stats, skill rating and rank on the current board of each period. */
export interface PlayerProfile {
  playerId: string;
  name: string;
  rating: number;
  games: number;
  wins: number;
  /** Best points in one match. */
  best: number;
  /** Points over all matches. */
  total: number;
  lastMatchAt: number | null;
  ranks: Record<LeaderboardPeriod, PlayerBoardRank | null>;
}

export interface Notice {
  code: ErrorBody["code"];
  message: string;
}

export interface Announcement {
  message: string;
  at: number;
}

export interface Pong {
  t: number;
  serverTime: number;
}

export interface ClientToServerEvents {
  "queue:join": (req: QueueJoinRequest, ack: AckFn<QueueJoined>) => void;
  "queue:leave": (req: Empty, ack: AckFn<{ left: true }>) => void;
  /** Fire and forget, tens per second; never acked. */
  "match:input": (frame: InputFrame) => void;
  "net:ping": (req: PingRequest, ack: AckFn<Pong>) => void;
  "boards:subscribe": (req: BoardsSubscribeRequest, ack: AckFn<BoardsTop>) => void;
  "boards:unsubscribe": (req: BoardsSubscribeRequest, ack: AckFn<{ unsubscribed: true }>) => void;
}

export interface ServerToClientEvents {
  /** Sent just before the server disconnects this socket, saying why. */
  "server:notice": (notice: Notice) => void;
  announce: (a: Announcement) => void;
  "queue:status": (s: QueueStatus) => void;
  "queue:cancelled": (c: QueueCancelled) => void;
  "match:found": (m: MatchFound) => void;
  "match:start": (m: MatchStart) => void;
  /** Base64 of the snapshot bytes (docs/protocol.md; decode with `decodeSnapshot`, shared/game/snapshot-codec.ts). */
  "match:snapshot": (s: EncodedSnapshot) => void;
  "match:end": (e: MatchEnd) => void;
  "match:resumed": (r: MatchResumed) => void;
  "boards:top": (b: BoardsTop) => void;
}

/** Server-to-server events over the adapter (`io.serverSideEmit`). */
export interface InterServerEvents {
  "node:ping": (nodeId: string) => void;
  /** A node now hosts a match (start or failover): every node joins and tells its own sockets of it. */
  "match:hosted": (n: MatchHostedNotice) => void;
  /** A match ended: every node sends `match:end` to its own sockets in it, then takes them out of the room. */
  "match:ended": (e: MatchEndedNotice) => void;
  /** An operator lifted a ban: every node forgets what it cached of it at once. */
  "limits:lifted": (subjectKey: string) => void;
}

/** Between nodes: a match ended, with its final snapshot (other nodes' sockets get it before `match:end`). */
export interface MatchEndedNotice extends MatchEnd {
  snapshot?: EncodedSnapshot;
}

/** Between nodes: who hosts a match now, and the `match:start` each player gets (minus `you`). */
export interface MatchHostedNotice {
  matchId: string;
  hostNodeId: string;
  /** The match continues on a new host from its checkpoint: players also get `match:resumed`. */
  resumed: boolean;
  start: Omit<MatchStart, "you">;
}

/** What the handshake middleware stores on each socket. */
export interface SocketData {
  playerId: string;
  name: string;
  /** SHA-256 of the session token, hex: the session's Redis identity. */
  sessionId: string;
  connectedAt: number;
  /** Connection order of this player's sockets across all nodes (a Redis counter); newest wins. */
  epoch: number;
  /** Client IP as seen by the node (per-IP limits). */
  ip: string;
}

/** Event names a client may send; anything else is dropped and counted. */
export const CLIENT_EVENTS = [
  "queue:join",
  "queue:leave",
  "match:input",
  "net:ping",
  "boards:subscribe",
  "boards:unsubscribe",
] as const satisfies readonly (keyof ClientToServerEvents)[];

/** Room names, shared so every node builds them the same way. */
export const rooms = {
  player: (playerId: string) => `player:${playerId}`,
  match: (matchId: string) => `match:${matchId}`,
  boards: (period: LeaderboardPeriod) => `boards:${period}`,
} as const;
