/**
 * The features of a game node, in start order. Each declares what it needs (checked at boot, see
 * core/feature.ts); stop runs in reverse order, so matches hand their games over while the node registry
 * and inbox still run, and the matchmaker stops before the runtime it feeds. The ops dashboard (admin)
 * comes last: it reads every other feature, and its namespace closes first.
 */
import type { Feature } from "./core/feature.ts";
import { playersFeature } from "./players/players-feature.ts";
import { sessionsFeature } from "./sessions/sessions-feature.ts";
import { limitsFeature } from "./limits/limits-feature.ts";
import { nodesFeature } from "./nodes/nodes-feature.ts";
import { boardsFeature } from "./boards/boards-feature.ts";
import { matchesFeature } from "./matches/matches-feature.ts";
import { matchmakingFeature } from "./matchmaking/matchmaking-feature.ts";
import { adminFeature } from "./admin/admin-feature.ts";

export const FEATURES: readonly Feature[] = [playersFeature, sessionsFeature, limitsFeature, nodesFeature, boardsFeature, matchesFeature, matchmakingFeature, adminFeature];
