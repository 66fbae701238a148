/**
 * The realtime contract: typed socket.io event maps used by the server and (with the generics reversed)
 * by clients. Every client-to-server event takes one payload object and, where listed, an ack callback
 * that receives `Ack<T>`. docs/protocol.md documents each event for non-TypeScript clients.
 */
import type { ErrorBody } from "./errors.ts";
import type { InputFrame, MatchEnd, MatchStart, Snapshot } from "./game/types.ts";
import type { RegionId } from "./regions.ts";
import type { BoardsSubscribeRequest, Empty, LeaderboardPeriod, PingRequest, QueueJoinRequest } from "./schemas.ts";

/** Every ack: success with data, or a coded error. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T> = (res: Ack<T>) => void;

export interface QueueJoined {
  ticketId: string;
  region: RegionId;
  estimatedWaitMs: number;
}

export interface QueueStatus {
  ticketId: string;
  region: RegionId;
  elapsedMs: number;
  radiusKm: number;
  skillBand: number;
  playersInRange: number;
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
  "match:found": (m: MatchFound) => void;
  "match:start": (m: MatchStart) => void;
  "match:snapshot": (s: Snapshot) => void;
  "match:end": (e: MatchEnd) => void;
  "match:resumed": (r: MatchResumed) => void;
  "boards:top": (b: BoardsTop) => void;
}

/** Server-to-server events over the adapter (`io.serverSideEmit`). */
export interface InterServerEvents {
  "node:ping": (nodeId: string) => void;
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
