/**
 * Feature "players": owns every key about one player (device map, profile and stats, connection epoch,
 * ticket and current-match pointers, applied-result markers). Other features read and change players
 * only through its store.
 */
import { defineFeature } from "../core/feature.ts";
import { PlayerStore } from "./player-store.ts";

export interface PlayersService {
  store: PlayerStore;
}

declare module "../core/feature.ts" {
  interface Services {
    players: PlayersService;
  }
}

export const playersFeature = defineFeature({
  name: "players",
  needs: [],
  create(core) {
    return { service: { store: new PlayerStore(core.redis, core.keys, core.scripts, core.now, core.config.GUEST_TTL_DAYS * 86_400_000) } };
  },
});
