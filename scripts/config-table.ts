// Prints the README's configuration tables, one per section, from server/config-spec.ts
// (run: npx tsx scripts/config-table.ts).
import { CONFIG_SECTIONS } from "../server/config.ts";

for (const [section, specs] of Object.entries(CONFIG_SECTIONS)) {
  console.log(`\n**${section}**\n\n| Variable | Default | Meaning |\n| --- | --- | --- |`);
  for (const [name, spec] of Object.entries(specs) as [string, { def: string | undefined; doc: string }][]) {
    const def = spec.def === undefined ? "(unset)" : spec.def === "" ? "(empty)" : `\`${spec.def}\``;
    console.log(`| \`${name}\` | ${def} | ${spec.doc.replace(/\|/g, "\\|")} |`);
  }
}
