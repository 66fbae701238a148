/**
 * The matchmaking view: queue depth and wait percentiles per queue, and the waiting tickets as points
 * (position, wait, current search radius and skill band from the search schedule), oldest first.
 */
import { MAX_TICKET_POINTS, type MatchmakingView, type QueueRow, type TicketPoint } from "../../shared/admin-api.ts";
import type { AdminReads } from "./sources.ts";

/** Nearest-rank percentile of sorted values; null when empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Builds the matchmaking view (at most MAX_TICKET_POINTS tickets, shared out over the queues). */
export async function buildMatchmaking(reads: AdminReads, now: number): Promise<MatchmakingView> {
  const sizes = await reads.queues.sizes();
  const busy = sizes.filter((q) => q.waiting > 0);
  const per = busy.length ? Math.max(50, Math.floor(MAX_TICKET_POINTS / busy.length)) : 0;
  const lists = await Promise.all(busy.map((q) => reads.queues.waiting(q.queue, Math.min(q.waiting, per))));
  const tickets: TicketPoint[] = [];
  const waitsByQueue = new Map<string, number[]>();
  busy.forEach((q, i) => {
    const waits: number[] = [];
    for (const t of lists[i]!) {
      const waitMs = Math.max(0, now - t.joinedAt);
      waits.push(waitMs);
      const s = reads.queues.searchOf(q.queue, waitMs);
      tickets.push({ ticketId: t.ticketId, playerId: t.playerId, name: t.name, queue: q.queue, home: t.home, lat: t.lat, lon: t.lon, rating: t.rating, waitMs, radiusKm: s.radiusKm, skillBand: s.skillBand, node: t.node });
    }
    waitsByQueue.set(q.queue, waits.sort((a, b) => a - b));
  });
  const queues: QueueRow[] = sizes.map((q) => {
    const w = waitsByQueue.get(q.queue) ?? [];
    return { queue: q.queue, waiting: q.waiting, oldestWaitMs: q.oldestJoinedAt === null ? null : Math.max(0, now - q.oldestJoinedAt), p50WaitMs: percentile(w, 0.5), p99WaitMs: percentile(w, 0.99) };
  });
  tickets.sort((a, b) => b.waitMs - a.waitMs);
  const listed = tickets.slice(0, MAX_TICKET_POINTS);
  const total = sizes.reduce((a, q) => a + q.waiting, 0);
  return { at: now, queues, tickets: listed, truncated: total > listed.length };
}
