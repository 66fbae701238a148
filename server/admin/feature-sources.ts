/**
 * Binds the admin views' reads (sources.ts) to the services the admin feature needs: the only admin file
 * that knows the other features. Every read goes through the owner's store or service.
 */
import type { Core, Services } from "../core/feature.ts";
import { WORLD_QUEUE, parsePointer } from "../matchmaking/tickets.ts";
import { scheduleFromConfig, searchFor } from "../matchmaking/schedule.ts";
import { instanceOrThrow } from "../boards/board-routes.ts";
import { playerSubject } from "../limits/subject.ts";
import { NotFoundError } from "../errors.ts";
import type { AdminReads, WaitingTicket } from "./sources.ts";

export type AdminDeps = Pick<Services, "players" | "limits" | "nodes" | "boards" | "matches" | "matchmaking">;

const num = (v: string | undefined) => (v === undefined || v === "" ? null : Number(v));

/** The admin reads over the given services. */
export function featureReads(core: Core, d: AdminDeps): AdminReads {
  const schedule = scheduleFromConfig(core.config);
  const players = d.players.store;
  const queues = d.matchmaking.store;

  return {
    nodes: {
      live: () => d.nodes.registry.list(),
      dead: () => d.nodes.registry.recentlyDead(core.now()),
    },
    queues: {
      sizes: () => queues.sizes(),
      async waiting(queue, limit) {
        const oldest = await queues.oldest(queue, 0, limit);
        const { queued } = await queues.read(queue, oldest.map((t) => t.ticketId));
        const out: WaitingTicket[] = [];
        for (const t of queued.values()) {
          out.push({ ticketId: t.ticketId, playerId: t.playerId, name: t.name, queue, home: t.home, lat: t.lat, lon: t.lon, rating: t.rating, joinedAt: t.joinedAt, node: t.node });
        }
        return out;
      },
      searchOf(queue, waitMs) {
        const s = searchFor(schedule, waitMs, queue === WORLD_QUEUE);
        return { radiusKm: s.radiusKm, skillBand: s.skillBand };
      },
    },
    matches: {
      active: (offset, limit) => d.matches.views.active(offset, limit),
      view: (ids) => d.matches.views.view(ids),
      localSnapshot: (matchId) => d.matches.views.localSnapshot(matchId),
    },
    analytics: {
      async minutes(count) {
        const rows = await d.boards.analytics.minutes(count);
        return rows.map((r) => ({ t: Date.parse(r.at), ccu: r.ccu, matchesStarted: r.matchesStarted, queueJoins: r.queueJoins }));
      },
      async uniquePlayersToday() {
        const [today] = await d.boards.analytics.daily(1);
        return today?.uniquePlayers ?? 0;
      },
    },
    abuse: {
      offenders: () => d.limits.abuse.listOffenders(),
      bans: () => d.limits.abuse.listBans(),
      recent: (count) => d.limits.refusals.recent(count),
    },
    players: {
      async profile(playerId) {
        try {
          return await d.boards.reader.profile(playerId);
        } catch (err) {
          if (err instanceof NotFoundError) return null;
          throw err;
        }
      },
      async state(playerId) {
        const [matchId, pointer, ban, profile] = await Promise.all([players.matchOf(playerId), players.ticketOf(playerId), d.limits.abuse.banOf(playerSubject(playerId)), players.profile(playerId)]);
        const p = pointer ? parsePointer(pointer) : null;
        return {
          matchId,
          ticket: p ? { queue: p.home, ticketId: p.ticketId } : null,
          ban,
          createdAt: num(profile?.createdAt),
          lastLoginAt: num(profile?.lastLoginAt),
        };
      },
      search: (prefix, limit) => players.searchNames(prefix, limit),
    },
    boards: {
      page: (period, date, offset, limit) => d.boards.reader.page(period, instanceOrThrow(period, date, core.now()), offset, limit),
    },
  };
}
