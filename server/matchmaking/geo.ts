/**
 * Pure geography of the queue: where a ticket is stored (rounded for privacy, clamped to what Redis GEO
 * accepts), which regional queue it joins, and great-circle distances. No Redis here.
 */
import { REGIONS, REGION_IDS, type RegionId } from "../../shared/regions.ts";
import type { QueueJoinRequest } from "../../shared/schemas.ts";

/** Redis GEO refuses latitudes beyond the Web Mercator limit (+-85.05112878). */
export const GEO_MAX_LAT = 85;
/** Stored coordinates are rounded to this step (0.1 deg is about 11 km): enough to match, too coarse to locate a home. */
export const COORD_STEP_DEG = 0.1;
const PER_DEG = Math.round(1 / COORD_STEP_DEG);
const EARTH_RADIUS_KM = 6371.0088;

export interface LatLon {
  lat: number;
  lon: number;
}

/** Rounds a coordinate to 0.1 degree (never returns -0). */
export function roundCoord(x: number): number {
  const r = Math.round(x * PER_DEG) / PER_DEG;
  return r === 0 ? 0 : r;
}

/** The position actually stored for a ticket: rounded to about 10 km, latitude clamped to the GEO range. */
export function storedPosition(lat: number, lon: number): LatLon {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    throw new RangeError(`coordinates out of range: ${lat}, ${lon}`);
  }
  return { lat: Math.max(-GEO_MAX_LAT, Math.min(GEO_MAX_LAT, roundCoord(lat))), lon: roundCoord(lon) };
}

/** Great-circle distance in km (haversine). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The region whose centre is nearest to a position. */
export function nearestRegion(pos: LatLon): RegionId {
  let best: RegionId = REGION_IDS[0]!;
  let bestKm = Infinity;
  for (const id of REGION_IDS) {
    const km = haversineKm(pos, REGIONS[id]);
    if (km < bestKm) {
      best = id;
      bestKm = km;
    }
  }
  return best;
}

/** Where a join request puts the ticket: its home region and stored position. */
export function placeRequest(req: QueueJoinRequest): { home: RegionId } & LatLon {
  if ("region" in req) {
    const c = REGIONS[req.region];
    return { home: req.region, ...storedPosition(c.lat, c.lon) };
  }
  const pos = storedPosition(req.lat, req.lon);
  return { home: nearestRegion(pos), ...pos };
}
