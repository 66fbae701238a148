/** The node's modules, in start order. Each domain adds its module here. */
import type { NodeContext, NodeModule } from "./node-module.ts";
import { createLimitsModule } from "./limits/limits-module.ts";
import { BoardsModule } from "./boards/boards-module.ts";
import { createMatchmakingModule } from "./matchmaking/matchmaking-module.ts";
import { createNodesModule } from "./nodes/nodes-module.ts";
import { createMatchesModule } from "./matches/matches-module.ts";
import { createAdminModule } from "./admin/admin-module.ts";

/** Builds every module for one node. */
export function createModules(ctx: NodeContext): NodeModule[] {
  // limits first: bans and login limits refuse before other modules do any work.
  // nodes before matches: matches uses its registry and inbox, and stops first (hands its matches over).
  const nodes = createNodesModule(ctx);
  return [createLimitsModule(ctx), nodes, new BoardsModule(ctx), createMatchmakingModule(ctx), createMatchesModule(ctx, nodes), createAdminModule(ctx)];
}
