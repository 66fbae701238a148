/** Helpers of the boards tests: nodes running only the boards module, results, a standalone applier. */
import { randomBytes } from "node:crypto";
import type { RedisClient } from "../server/redis/connection.ts";
import { startTestNode, uniquePrefix } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import type { CONFIG_SPEC } from "../server/config.ts";
import { boardsFeature, type BoardsService } from "../server/boards/boards-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { sessionsFeature } from "../server/sessions/sessions-feature.ts";
import { PlayerStore } from "../server/players/player-store.ts";
import { ResultApplier, applierConfig } from "../server/boards/result-applier.ts";
import { createKeys, type Keys } from "../server/redis/keys.ts";
import { Scripts } from "../server/redis/scripts.ts";
import { loadConfig } from "../server/config.ts";
import type { MatchResult } from "../server/boards/match-result.ts";

type Overrides = Partial<Record<keyof typeof CONFIG_SPEC, string>>;

/** Fast timings for tests: short blocks, quick reclaim, quick pushes and flushes. */
export const FAST: Overrides = {
  RESULTS_BLOCK_MS: "100",
  RESULTS_CLAIM_IDLE_MS: "300",
  BOARDS_PUSH_INTERVAL_MS: "200",
  ANALYTICS_FLUSH_MS: "100",
  BOARDS_CACHE_TTL_MS: "500",
};

/** The boards feature and what it needs (other domains are tested elsewhere). */
export const BOARDS_ONLY = [playersFeature, sessionsFeature, boardsFeature];

/** Starts a node running only the boards feature and what it needs. */
export function startBoardsNode(overrides: Overrides = {}, now?: () => number): Promise<RunningNode> {
  return startTestNode({ KEY_PREFIX: uniquePrefix("lb"), ...FAST, ...overrides }, { features: BOARDS_ONLY, now });
}

/** The boards service of a node. */
export function boardsOf(node: RunningNode): BoardsService {
  return node.service("boards");
}

/** A standalone applier on a prefix (plays a consumer that dies or hangs mid-apply). */
export async function standaloneApplier(redis: RedisClient, prefix: string, now: () => number = Date.now, overrides: Overrides = {}): Promise<{ applier: ResultApplier; keys: Keys; scripts: Scripts }> {
  const keys = createKeys(prefix);
  const scripts = await Scripts.load(redis);
  const config = applierConfig(loadConfig({}, overrides));
  const players = new PlayerStore(redis, keys, scripts, now);
  return { applier: new ResultApplier({ redis, keys, scripts, players, now, config }), keys, scripts };
}

let seq = 0;
/** A match result; players as [playerId, score] in placement order (first = winner). */
export function result(players: [string, number][], endedAt = Date.now(), matchId = `m-${randomBytes(5).toString("hex")}-${++seq}`): MatchResult {
  return {
    matchId,
    endedAt,
    durationMs: 90_000,
    players: players.map(([playerId, score], i) => ({ playerId, name: `N-${playerId}`, score, placement: i + 1 })),
  };
}

/** A random player id shaped like the real ones. */
export function pid(label = "p"): string {
  return `${label}${randomBytes(6).toString("hex")}`;
}
