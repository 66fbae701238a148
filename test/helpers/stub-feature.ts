/** A feature made of hooks only, for tests that stand in for another feature (e.g. a stub `queue:join`). */
import { defineFeature, type Core, type Feature, type FeatureHooks } from "../../server/core/feature.ts";

declare module "../../server/core/feature.ts" {
  interface Services {
    testStub: Record<string, never>;
  }
}

/** A feature named "testStub" with the given hooks and an empty service. */
export function stubFeature(hooks: (core: Core) => FeatureHooks): Feature<"testStub"> {
  return defineFeature({ name: "testStub", needs: [], create: (core) => ({ service: {}, ...hooks(core) }) });
}
