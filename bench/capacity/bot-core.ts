/**
 * What every capacity bot does and measures, whatever the target's protocol (bot-socketio.ts speaks the
 * arena's, which the relay copies; bot-colyseus.ts speaks Colyseus'). A bot joins, plays (an input every
 * 100 ms while in a match), re-queues when its match ends, and reports into its worker's Recorder:
 *
 *  - input -> snapshot latency: input `s` is sent at t_send; the first snapshot whose own row acknowledges
 *    a sequence >= s (lastInputSeq, shared/game/sim.ts toSnapshot) arrives at t_ack; latency = t_ack -
 *    t_send. Only inputs sent while the match is playing count (the countdown applies none).
 *  - excess = t_ack - g(t_send), where g(t) is the first instant at or after t of the server's fixed
 *    20 Hz tick grid (phase from the server's probe: exact for the baselines, estimated from the node's
 *    snapshot broadcast instants for the arena). So excess = latency - (wait for the next tick boundary):
 *    what the server (input transit, a late tick, encoding, fan-out) and the bot's own event loop add to
 *    the unavoidable 0-50 ms of tick quantisation. An input arriving just after a boundary waits a whole
 *    extra tick and counts that tick as excess: that is the node being slower than the grid.
 *  - lost snapshots: gaps in the snapshot sequence number `n` of one match, per client (the arena skips
 *    broadcasting catch-up ticks after a stall, so stalls show here too).
 *  - join time: from the start of login (first join) or of queue:join (re-queue) to match:start.
 */
import { newHistogram, nextGridInstant, recordMs, wallNow } from "./stats.ts";

export class Recorder {
  measuring = false;
  /** Tick grid of the target (phase in wall ms), null until the server's probe knows it. */
  phase: number | null = null;
  intervalMs = 50;
  latency = newHistogram();
  excess = newHistogram();
  join = newHistogram();
  /** Storm: reconnect start -> back in the match (match:start), and -> first snapshot after it. */
  rejoin = newHistogram();
  reflow = newHistogram();
  c = { snapshots: 0, lost: 0, inputs: 0, acked: 0, unacked: 0, negativeExcess: 0, bytes: 0, joins: 0, ended: 0, errors: 0, disconnects: 0 };
  errorCodes: Record<string, number> = {};

  resetWindow(): void {
    this.latency = newHistogram();
    this.excess = newHistogram();
    for (const k of Object.keys(this.c) as (keyof Recorder["c"])[]) if (k !== "joins" && k !== "errors") this.c[k] = 0;
  }

  resetJoins(): void {
    this.join = newHistogram();
    this.rejoin = newHistogram();
    this.reflow = newHistogram();
    this.c.joins = 0;
    this.c.errors = 0;
    this.errorCodes = {};
  }

  error(code: string): void {
    this.c.errors++;
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
  }
}

export type BotState = "idle" | "joining" | "queued" | "match" | "dropped";

/** The protocol-independent part of a bot. Subclasses call the on* methods and implement the actions. */
export abstract class BotCore {
  state: BotState = "idle";
  /** In a match and past its countdown: inputs count for latency. */
  playing = false;
  protected you = -1;
  protected seq = 0;
  private lastN = -1;
  /** Unacknowledged inputs: [seq, sentAt] pairs, oldest first. */
  private pending: number[] = [];
  private joinStartedAt = 0;
  /** Storm: when the reconnect started; waiting for match:start, and for the first snapshot after it. */
  private reconnectAt = 0;
  private awaitingStart = false;
  private awaitingFlow = false;
  private dir = [1, 0];
  stopping = false;

  constructor(readonly id: number, protected readonly rec: Recorder) {}

  /** Logs in (if needed), connects and queues; must end in onMatchStart or onFailure. */
  protected abstract doJoin(first: boolean): void;
  /** Sends one input frame. */
  protected abstract sendInput(s: number, x: number, y: number, d: boolean): void;
  /** Storm: drops the connection abruptly (no leave), keeping the credentials. */
  abstract drop(): void;
  /** Storm: reconnects with the same credentials; the server should put the player back in its match. */
  protected abstract doReconnect(): void;
  abstract close(): void;

  start(): void {
    this.state = "joining";
    this.joinStartedAt = wallNow();
    this.doJoin(true);
  }

  reconnect(): void {
    this.state = "joining";
    this.reconnectAt = wallNow();
    this.awaitingStart = true;
    this.awaitingFlow = true;
    this.doReconnect();
  }

  /** The transport is connected (storm diagnostics: connected yet not back in the match). */
  abstract get connected(): boolean;

  get inMatch(): boolean {
    return this.state === "match";
  }

  /** Called by the worker every 100 ms (bots are spread over ten 10 ms slots). */
  inputTick(): void {
    if (this.state !== "match") return;
    const s = ++this.seq;
    if (s % 5 === 0) {
      const a = Math.random() * 2 * Math.PI;
      this.dir = [Math.round(Math.cos(a) * 100) / 100, Math.round(Math.sin(a) * 100) / 100];
    }
    this.sendInput(s, this.dir[0]!, this.dir[1]!, s % 37 === 0);
    if (this.playing) {
      const now = wallNow();
      this.pending.push(s, now);
      if (this.rec.measuring) this.rec.c.inputs++;
      // An input never acknowledged (refused, or its match ended) is given up after 10 s.
      while (this.pending.length && now - this.pending[1]! > 10_000) {
        this.pending.splice(0, 2);
        if (this.rec.measuring) this.rec.c.unacked++;
      }
    }
  }

  protected onMatchStart(you: number): void {
    const now = wallNow();
    if (this.awaitingStart) {
      recordMs(this.rec.rejoin, now - this.reconnectAt);
      this.awaitingStart = false;
    } else if (this.state !== "match") {
      recordMs(this.rec.join, now - this.joinStartedAt);
      this.rec.c.joins++;
    }
    this.state = "match";
    this.you = you;
    this.lastN = -1;
    this.pending = [];
  }

  protected onSnapshot(n: number, phase: string, ackSeq: number | undefined, bytes = 0): void {
    const now = wallNow();
    const r = this.rec;
    if (this.awaitingFlow && this.state === "match") {
      this.awaitingFlow = false;
      recordMs(r.reflow, now - this.reconnectAt);
    }
    if (r.measuring) {
      r.c.snapshots++;
      r.c.bytes += bytes;
      if (this.lastN >= 0 && n > this.lastN + 1) r.c.lost += n - this.lastN - 1;
    }
    this.lastN = n;
    this.playing = phase === "playing";
    if (ackSeq === undefined) return;
    const p = this.pending;
    let i = 0;
    while (i < p.length && p[i]! <= ackSeq) {
      const sent = p[i + 1]!;
      if (r.measuring) {
        r.c.acked++;
        recordMs(r.latency, now - sent);
        if (r.phase !== null) {
          const ex = now - nextGridInstant(sent, r.phase, r.intervalMs);
          if (ex < 0) r.c.negativeExcess++;
          recordMs(r.excess, ex);
        }
      }
      i += 2;
    }
    if (i) p.splice(0, i);
  }

  /** The match ended: queue again (the bot keeps playing until told to stop). */
  protected onMatchEnd(): void {
    if (this.state !== "match") return;
    this.rec.c.ended++;
    this.state = "queued";
    this.playing = false;
    this.pending = [];
    if (this.stopping) return;
    this.joinStartedAt = wallNow();
    this.doJoin(false);
  }

  /** Something failed on the way; the subclass decides to retry. */
  protected onFailure(code: string): void {
    this.rec.error(code);
  }
}
