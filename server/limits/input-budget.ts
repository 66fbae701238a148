/**
 * Local budget for game inputs (`match:input`, tens per second per player).
 *
 * Why local and not the Redis limiter: a player has exactly one live socket cluster-wide (the newest
 * connection disconnects the older ones), so a budget held by that socket is the player's whole budget;
 * checking it costs nothing, where a Redis round trip per input would multiply Redis traffic by the input
 * rate of every player. Reconnecting buys a fresh budget, but not a bigger one: the old socket is gone
 * and a client that reconnects to flood again collects a flood violation each time (see below) and is
 * banned cluster-wide after a few.
 *
 * Two token buckets on a monotonic clock:
 * - the budget: `rate` per second, bursting to `burst`; an input over it is dropped (and counted);
 * - the flood meter: every drop takes a token from a second bucket that refills at `rate` per second and
 *   holds `rate * floodSeconds`. A client up to twice the budget never empties it (jittery networks
 *   bunch inputs); one far over budget empties it after a while (3x: ~floodSeconds, 10x: a fraction of
 *   it) and is flagged as a flood: disconnected with INPUT_FLOOD and given a violation.
 */

export type InputVerdict = "ok" | "drop" | "flood";

export interface InputBudgetSettings {
  ratePerSecond: number;
  /** Inputs allowed at once (default: one second of inputs). */
  burst?: number;
  /** How long a client may stay far over budget before it is cut (default 5 s). */
  floodSeconds?: number;
}

export class InputBudget {
  private tokens: number;
  private floodTokens: number;
  private last: number;
  private readonly burst: number;
  private readonly floodCap: number;
  /** Set once a flood is detected; every later input is dropped until the socket is gone. */
  flooded = false;

  constructor(
    private readonly settings: InputBudgetSettings,
    now: number,
  ) {
    this.burst = settings.burst ?? settings.ratePerSecond;
    this.floodCap = settings.ratePerSecond * (settings.floodSeconds ?? 5);
    this.tokens = this.burst;
    this.floodTokens = this.floodCap;
    this.last = now;
  }

  /** Spends one input at `now` (monotonic ms). */
  take(now: number): InputVerdict {
    if (this.flooded) return "drop";
    const refill = (Math.max(0, now - this.last) / 1000) * this.settings.ratePerSecond;
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.floodTokens = Math.min(this.floodCap, this.floodTokens + refill);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return "ok";
    }
    this.floodTokens -= 1;
    if (this.floodTokens < 0) {
      this.flooded = true;
      return "flood";
    }
    return "drop";
  }
}

/** Local allowance for invalid payloads and unknown events per socket: a few slips are free. */
export class StrikeBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Spends one strike; true when the free allowance is used up (a violation). */
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) / 1000) * this.perSecond);
    this.last = Math.max(this.last, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return false;
    }
    return true;
  }
}
