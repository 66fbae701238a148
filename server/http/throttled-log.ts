/**
 * Warnings about refusals, at most one line per reason per interval: a flood must be visible in the log
 * at 3 a.m. without the log itself becoming the flood. Each line says how many were not logged since.
 */
import type { FastifyBaseLogger } from "fastify";

export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Logs `msg` for `reason` unless one was logged within the interval (then only counts it). */
  warn(reason: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const entry = this.last.get(reason);
    if (entry && t - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.log.warn({ ...fields, reason, notLoggedSinceLast: entry?.suppressed ?? 0 }, msg);
    this.last.set(reason, { at: t, suppressed: 0 });
  }
}
