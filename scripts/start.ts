// `npm start`: bundle the browser client (esbuild, ~0.1 s) in this process, then run the node's entry point.
// One process instead of an npm `prestart` hook saves a second npm and tsx start-up on every launch.
import { buildClient } from "../client/build.ts";

await buildClient();
await import("../server/main.ts");
