/**
 * Binds the admin feature's interfaces (sources.ts) to today's modules: the only admin file that imports
 * other features. Reads go through the owners' stores where they exist (registry, queue store, board
 * reader, abuse tracker, analytics); the rest reads keys built by server/redis/keys.ts, read-only.
 * The lead re-wires this file onto the new feature layout (issue 12).
 */
import type { NodeContext } from "../node-module.ts";
import type { NodesModule } from "../nodes/nodes-module.ts";
import type { MatchmakingModule } from "../matchmaking/matchmaking-module.ts";
import type { MatchesModule } from "../matches/matches-module.ts";
import type { BoardsModule } from "../boards/boards-module.ts";
import type { LimitsModule } from "../limits/limits-module.ts";
import { WORLD_QUEUE, parsePointer } from "../matchmaking/queue-store.ts";
import { scheduleFromConfig, searchFor } from "../matchmaking/schedule.ts";
import { readMatchRecord } from "../matches/match-record.ts";
import { parseCheckpoint } from "../matches/match-host.ts";
import { instanceOrThrow } from "../boards/board-routes.ts";
import { playerSubject } from "../limits/subject.ts";
import { NotFoundError } from "../errors.ts";
import { toSnapshot } from "../../shared/game/sim.ts";
import { DEFAULT_GAME_CONFIG } from "../../shared/game/sim.ts";
import type { AdminReads, MatchView, WaitingTicket } from "./sources.ts";

/** The read side, bound to the modules of this node (looked up lazily: modules are built in order). */
export function todayReads(ctx: NodeContext): AdminReads {
  const { redis, keys, config } = ctx;
  const need = <T>(name: string): T => {
    const m = ctx.modules.get(name);
    if (!m) throw new Error(`admin needs the "${name}" module`);
    return m as unknown as T;
  };
  const schedule = scheduleFromConfig(config);

  return {
    nodes: { live: () => need<NodesModule>("nodes").registry.list() },
    queues: {
      sizes: () => need<MatchmakingModule>("matchmaking").store.sizes(),
      async waiting(queue, limit) {
        const store = need<MatchmakingModule>("matchmaking").store;
        const oldest = await store.oldest(queue, 0, limit);
        const { queued } = await store.read(queue, oldest.map((t) => t.ticketId));
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
      async active(offset, limit) {
        const [total, ids] = await Promise.all([redis.zcard(keys.matchesActive), limit > 0 ? redis.zrange(keys.matchesActive, offset, String(offset + limit - 1)) : Promise.resolve([] as string[])]);
        return { total, ids };
      },
      async view(ids) {
        return Promise.all(
          ids.map(async (matchId): Promise<MatchView | null> => {
            const [rec, lease, raw] = await Promise.all([readMatchRecord(redis, keys, matchId), redis.get(keys.matchLease(matchId)), redis.get(keys.matchCheckpoint(matchId))]);
            if (!rec) return null;
            const cp = parseCheckpoint(raw, rec.players.length);
            const cfg = cp?.state.config ?? DEFAULT_GAME_CONFIG;
            return {
              matchId,
              queue: rec.queue,
              status: rec.status,
              chosenHost: rec.hostNodeId,
              host: lease ? lease.slice(0, lease.lastIndexOf("|")) : null,
              createdAt: rec.createdAt,
              roster: rec.players.map((p, index) => ({ playerId: p.playerId, name: p.name, index })),
              arena: { width: cfg.arenaWidth, height: cfg.arenaHeight },
              snapshot: cp ? toSnapshot(cp.state, matchId) : null,
              checkpointAt: cp ? cp.savedAt : null,
            };
          }),
        );
      },
      localSnapshot: (matchId) => ctx.modules.get<MatchesModule>("matches")?.hosted(matchId)?.snapshot() ?? null,
    },
    analytics: {
      async minutes(count) {
        const rows = await need<BoardsModule>("boards").analytics.minutes(count);
        return rows.map((r) => ({ t: Date.parse(r.at), ccu: r.ccu, matchesStarted: r.matchesStarted, queueJoins: r.queueJoins }));
      },
      async uniquePlayersToday() {
        const [today] = await need<BoardsModule>("boards").analytics.daily(1);
        return today?.uniquePlayers ?? 0;
      },
    },
    abuse: {
      offenders: () => need<LimitsModule>("limits").abuse.listOffenders(),
      bans: () => need<LimitsModule>("limits").abuse.listBans(),
    },
    players: {
      async profile(playerId) {
        try {
          return await need<BoardsModule>("boards").reader.profile(playerId);
        } catch (err) {
          if (err instanceof NotFoundError) return null;
          throw err;
        }
      },
      async state(playerId) {
        const banKey = keys.ban(playerSubject(playerId).key);
        const [matchId, pointer, banReason, banTtl] = await Promise.all([redis.get(keys.playerMatch(playerId)), redis.get(keys.playerTicket(playerId)), redis.get(banKey), redis.pttl(banKey)]);
        const p = pointer ? parsePointer(pointer) : null;
        return {
          matchId,
          ticket: p ? { queue: p.home, ticketId: p.ticketId } : null,
          ban: banReason !== null && banTtl > 0 ? { reason: banReason, remainingMs: banTtl } : null,
        };
      },
    },
    boards: {
      page: (period, date, offset, limit) => need<BoardsModule>("boards").reader.page(period, instanceOrThrow(period, date, ctx.now()), offset, limit),
      instance: (period, date) => instanceOrThrow(period, date, ctx.now()),
    },
  };
}
