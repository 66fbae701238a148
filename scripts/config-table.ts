// Prints the README's configuration table from server/config.ts (run: npx tsx scripts/config-table.ts).
import { CONFIG_SPEC } from "../server/config.ts";

console.log("| Variable | Default | Meaning |\n| --- | --- | --- |");
for (const [name, spec] of Object.entries(CONFIG_SPEC)) {
  const def = spec.def === undefined ? "(unset)" : spec.def === "" ? "(empty)" : `\`${spec.def}\``;
  console.log(`| \`${name}\` | ${def} | ${spec.doc.replace(/\|/g, "\\|")} |`);
}
