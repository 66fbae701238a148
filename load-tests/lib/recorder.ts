/**
 * What the scenarios report to Artillery, under stable names the profiles' `ensure` gates and the runner's
 * summary read. Histograms (ms) become `<name>.p50/.p95/.p99` in the report; counters are summed.
 *
 *  - `arena.ack.<event>`      time from emit to ack of an acked socket event (queue_join, ping, ...)
 *  - `arena.input_rtt`        time from sending input frame `s` to the first snapshot whose row shows
 *                             `lastInputSeq >= s` (the host applied it: up to one tick of waiting included)
 *  - `arena.connect`          socket.io handshake (token check included)
 *  - `arena.queue_wait`       queue:join ack to match:found (matchmaking; not a server latency)
 *  - `arena.result_visible`   match:end to the player's profile counting that match (results pipeline)
 *  - `arena.http.<name>`      HTTP requests the processor makes itself (Artillery measures the YAML ones)
 *  - `arena.errors`           every error, summed (gated at 0); `arena.errors.<kind>` says which
 *  - `arena.queue_gave_up`    players who left the queue after `queueTimeoutSeconds` without a match
 */

/** Artillery's event emitter, as handed to processor functions. */
export interface ArtilleryEvents {
  emit(type: "counter" | "histogram" | "rate", name: string, value?: number): void;
}

export class Recorder {
  constructor(private readonly events: ArtilleryEvents) {}

  histogram(name: string, ms: number): void {
    this.events.emit("histogram", name, Math.round(ms * 10) / 10);
  }

  counter(name: string, n = 1): void {
    this.events.emit("counter", name, n);
  }

  /** Counts an error of `kind` (kebab/snake case, no spaces) and the total. */
  error(kind: string): void {
    this.events.emit("counter", `arena.errors.${kind}`, 1);
    this.events.emit("counter", "arena.errors", 1);
  }

  /** Makes the gated counters exist (at 0) so that a gate on them can pass: a missing metric fails `ensure`. */
  touch(): void {
    this.events.emit("counter", "arena.errors", 0);
    this.events.emit("counter", "arena.queue_gave_up", 0);
  }
}
