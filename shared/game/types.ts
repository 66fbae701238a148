/**
 * Wire types of the game itself (match state, snapshots, inputs, results). Owned by the match runtime;
 * the transport in `../protocol.ts` only carries them.
 */

/** One player's input frame: movement direction in [-1, 1] per axis, dash button, sequence number. */
export interface InputFrame {
  /** Client-side sequence number, strictly increasing per match; echoed in snapshots for reconciliation. */
  s: number;
  x: number;
  y: number;
  /**
   * Dash button held. A dash starts when this is true and the cooldown is over; the client holds a tap
   * true for a few ticks, and a host that keeps only the latest input per tick should OR `d` over the
   * frames it received in that tick so a short tap is never lost.
   */
  d: boolean;
}

/**
 * Player row in a snapshot: [playerIndex, x, y, score, lastInputSeq, dashCooldownMs, vx, vy, dashMs, stunMs].
 * dashMs > 0: dashing (drawn with a trail); stunMs > 0: knocked back by someone's dash. The client needs
 * both to replay its own unacknowledged inputs from this row (reconciliation).
 */
export type SnapshotPlayer = [number, number, number, number, number, number, number, number, number, number];
/** Orb row: [orbId, x, y, value]. */
export type SnapshotOrb = [number, number, number, number];

export type MatchPhase = "countdown" | "playing" | "ended";

/**
 * The `match:snapshot` payload on the wire: base64 of the snapshot bytes (layout in docs/protocol.md,
 * codec in ./snapshot-codec.ts), which decode to a `Snapshot`.
 */
export type EncodedSnapshot = string;

/** A decoded snapshot: the state the host broadcasts every tick to `match:<id>`. */
export interface Snapshot {
  /** Match id. */
  m: string;
  /** Snapshot sequence number (tick). */
  n: number;
  /** Phase. */
  ph: MatchPhase;
  /** Milliseconds left in the current phase. */
  t: number;
  p: SnapshotPlayer[];
  o: SnapshotOrb[];
}

export interface MatchPlayerInfo {
  playerId: string;
  name: string;
  /** Index used in compact snapshot rows. */
  index: number;
}

/** Sent to a player when their socket joins a match (start, rejoin, failover). */
export interface MatchStart {
  matchId: string;
  seed: number;
  players: MatchPlayerInfo[];
  /** This player's index. */
  you: number;
  arena: { width: number; height: number };
  tickHz: number;
  phase: MatchPhase;
  durationMs: number;
}

export interface MatchResultRow {
  playerId: string;
  name: string;
  score: number;
  placement: number;
}

export interface MatchEnd {
  matchId: string;
  results: MatchResultRow[];
  endedAt: number;
}
