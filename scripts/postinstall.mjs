// redlock 5.0.0-beta.2 ships types but no "types" condition in its exports map, so TypeScript's
// nodenext resolution cannot see them. Add the condition (idempotent). tsconfig `paths` would break tsx.
import { readFileSync, writeFileSync, existsSync } from "node:fs";

const file = new URL("../node_modules/redlock/package.json", import.meta.url);
if (existsSync(file)) {
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const dot = pkg.exports?.["."];
  if (dot && !dot.types) {
    pkg.exports["."] = { types: "./dist/index.d.ts", ...dot };
    writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
    console.log("postinstall: added types to redlock's exports map");
  }
}
