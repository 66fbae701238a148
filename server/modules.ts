/** The node's modules, in start order. Each domain adds its module here. */
import type { NodeContext, NodeModule } from "./node-module.ts";

/** Builds every module for one node. */
export function createModules(_ctx: NodeContext): NodeModule[] {
  return [];
}
