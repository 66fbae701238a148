/**
 * The matches this node hosts right now, and the state every part of the runtime shares about them
 * (scanner, lease keeper, ender, tick loop): which are being acquired, which are ending. One place keeps
 * the hosted-matches gauge right.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Metrics } from "../metrics.ts";
import type { MatchHost } from "./match-host.ts";

export class HostedMatches {
  private readonly hosts = new Map<string, MatchHost>();
  /** Matches whose lease is being taken (no second attempt meanwhile). */
  readonly acquiring = new Set<string>();
  /** Ends in flight (a graceful stop waits for them). */
  private readonly finishing = new Set<Promise<void>>();
  /** Set by a graceful stop: nothing new is taken. */
  stopped = false;

  constructor(
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  get size(): number {
    return this.hosts.size;
  }

  get(matchId: string): MatchHost | undefined {
    return this.hosts.get(matchId);
  }

  has(matchId: string): boolean {
    return this.hosts.has(matchId);
  }

  values(): IterableIterator<MatchHost> {
    return this.hosts.values();
  }

  /** Hosted matches that are ticking (not ending, reclaiming or stopped). */
  running(): MatchHost[] {
    return [...this.hosts.values()].filter((h) => h.status === "running");
  }

  add(h: MatchHost): void {
    this.hosts.set(h.matchId, h);
    this.metrics.matchesHosted.set(this.hosts.size);
  }

  /** Stops hosting a match (its end is done, or it was handed over). */
  remove(h: MatchHost): void {
    h.status = "stopped";
    if (this.hosts.get(h.matchId) === h) this.hosts.delete(h.matchId);
    this.metrics.matchesHosted.set(this.hosts.size);
  }

  /** Stops hosting at once, without any write: the lease is someone else's now. */
  drop(h: MatchHost, reason: string): void {
    if (h.status === "stopped") return;
    this.remove(h);
    this.log.warn({ matchId: h.matchId, token: h.lease.token, reason }, "stopped hosting match");
  }

  /** Forgets every match (graceful stop, after their hand-over). */
  clear(): void {
    for (const h of this.hosts.values()) h.status = "stopped";
    this.hosts.clear();
    this.metrics.matchesHosted.set(0);
  }

  /** Tracks an end in flight. */
  track(p: Promise<void>): void {
    this.finishing.add(p);
    void p.finally(() => this.finishing.delete(p));
  }

  /** Waits for the ends in flight, at most `ms`. */
  async settle(ms: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.finishing]), new Promise((r) => setTimeout(r, ms))]);
  }
}
