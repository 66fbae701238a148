/**
 * One match hosted by this node: the simulation state, each player's latest input, and the lease this
 * node holds on it. No timers, sockets or Redis here: the module's tick loop calls `tick`, its lease
 * keeper renews `lease`, its inbox and sockets call `input`. Inputs are directions only; the host checks
 * and clamps them again whatever the sending node did, and positions only ever come from the simulation.
 */
import { advance, createMatch, toSnapshot, type GameConfig, type SimState } from "../../shared/game/sim.ts";
import type { InputFrame, Snapshot } from "../../shared/game/types.ts";
import { rooms } from "../../shared/protocol.ts";
import { encodeSnapshot } from "./snapshot-encoder.ts";
import type { MatchRecord } from "./match-record.ts";

/** What is checkpointed to Redis about once a second (fenced by the lease). */
export interface MatchCheckpoint {
  v: 1;
  state: SimState;
  /** Each player's latest input, so a player holding a direction keeps moving across a failover. */
  inputs: (InputFrame | null)[];
  savedAt: number;
  /** Set once the match ended: a host resuming an ended match reports the same end time and results. */
  endedAt?: number;
}

export interface HostLease {
  token: number;
  /** "<nodeId>|<token>": what the lease key holds while this node owns it. */
  value: string;
  /** performance.now() after which this node must assume the lease lapsed (no renewal confirmed). */
  validUntil: number;
}

/** running: ticking; reclaiming: lease lapsed, trying to take it back; ending: finishing; stopped: gone. */
export type HostStatus = "running" | "reclaiming" | "ending" | "stopped";

const clampAxis = (v: number) => (v > 1 ? 1 : v < -1 ? -1 : v);

export class MatchHost {
  readonly room: string;
  readonly playerCount: number;
  state: SimState;
  status: HostStatus = "running";
  /** The result went onto the results stream (never appended twice by one host). */
  resultAppended = false;
  /** When the match ended (first host to see it end decides; carried in the checkpoint). */
  endedAt: number | undefined;
  private readonly inputs: (InputFrame | undefined)[];
  /** The dash button as last reported; `inputs[i].d` may be true for one tick longer (a tap between ticks). */
  private readonly dashHeld: boolean[];

  constructor(
    readonly matchId: string,
    readonly record: MatchRecord,
    public lease: HostLease,
    state: SimState,
    inputs: readonly (InputFrame | null | undefined)[] = [],
    endedAt?: number,
  ) {
    this.endedAt = endedAt;
    this.room = rooms.match(matchId);
    this.playerCount = record.players.length;
    this.state = state;
    this.inputs = Array.from({ length: this.playerCount }, (_, i) => inputs[i] ?? undefined);
    this.dashHeld = this.inputs.map((f) => f?.d === true);
  }

  /** A brand-new match from its record (seeded) with the node's timings. */
  static create(record: MatchRecord, config: Partial<GameConfig>): SimState {
    return createMatch(record.seed, record.players.length, config);
  }

  /**
   * Takes one player's input. Returns false when it is refused: unknown player, not a number, or older
   * than what was already applied (a sequence number never goes back).
   */
  input(index: number, s: number, x: number, y: number, d: boolean): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.playerCount) return false;
    if (!Number.isSafeInteger(s) || s < 0 || !Number.isFinite(x) || !Number.isFinite(y)) return false;
    const cur = this.inputs[index];
    if ((cur && s < cur.s) || s < this.state.players[index]!.lastSeq) return false;
    const dash = d === true;
    // A tap that starts and ends between two ticks still dashes: OR the button until the next tick.
    this.inputs[index] = { s, x: clampAxis(x), y: clampAxis(y), d: dash || (cur?.d ?? false) };
    this.dashHeld[index] = dash;
    return true;
  }

  /** The player left (socket dropped): their avatar stops where it is and keeps its score. */
  release(index: number): void {
    if (index >= 0 && index < this.playerCount) {
      this.inputs[index] = undefined;
      this.dashHeld[index] = false;
    }
  }

  /** Advances the simulation one tick, in place: this host is the state's one owner (read it, never keep it). */
  tick(dtMs: number): void {
    advance(this.state, this.inputs, dtMs);
    for (let i = 0; i < this.playerCount; i++) {
      const f = this.inputs[i];
      if (f && f.d !== this.dashHeld[i]) this.inputs[i] = { s: f.s, x: f.x, y: f.y, d: this.dashHeld[i]! };
    }
  }

  get ended(): boolean {
    return this.state.phase === "ended";
  }

  /** The snapshot of the current state as an object (admin views). */
  snapshot(): Snapshot {
    return toSnapshot(this.state, this.matchId);
  }

  /** The `match:snapshot` payload of the current state (encoded bytes, base64). */
  encodedSnapshot(): string {
    return encodeSnapshot(this.state, this.matchId);
  }

  /** The checkpoint JSON of the current state. */
  checkpoint(now: number): string {
    const cp: MatchCheckpoint = { v: 1, state: this.state, inputs: this.inputs.map((f) => f ?? null), savedAt: now };
    if (this.endedAt !== undefined) cp.endedAt = this.endedAt;
    return JSON.stringify(cp);
  }
}

/** Parses a checkpoint; null when it is missing, unreadable or not for this many players. */
export function parseCheckpoint(raw: string | null, playerCount: number): MatchCheckpoint | null {
  if (!raw) return null;
  try {
    const cp = JSON.parse(raw) as MatchCheckpoint;
    if (cp?.v !== 1 || !cp.state || !Array.isArray(cp.state.players) || cp.state.players.length !== playerCount) return null;
    return cp;
  } catch {
    return null;
  }
}
