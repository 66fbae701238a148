/**
 * Matchmaking regions. A ticket joins the queue of the region whose centre is nearest to it; a player
 * without geolocation picks a region and is placed at its centre. Region ids are part of the protocol.
 */
export const REGIONS = {
  "na-west": { name: "North America West", lat: 37.5, lon: -120.0 },
  "na-east": { name: "North America East", lat: 39.5, lon: -77.5 },
  "sa": { name: "South America", lat: -20.0, lon: -50.0 },
  "eu-west": { name: "Europe West", lat: 48.5, lon: 2.5 },
  "eu-east": { name: "Europe East", lat: 50.0, lon: 25.0 },
  "af": { name: "Africa", lat: 0.0, lon: 20.0 },
  "me": { name: "Middle East", lat: 27.0, lon: 48.0 },
  "as-south": { name: "South Asia", lat: 20.0, lon: 78.0 },
  "as-east": { name: "East Asia", lat: 33.0, lon: 125.0 },
  "oc": { name: "Oceania", lat: -30.0, lon: 145.0 },
} as const;

export type RegionId = keyof typeof REGIONS;
export const REGION_IDS = Object.keys(REGIONS) as RegionId[];
