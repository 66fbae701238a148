/**
 * Where the player queues from: browser geolocation when the player allows it (rounded to ~10 km: the
 * matchmaker needs no more, and the server should not learn more), else a region from shared/regions.ts,
 * preselected from the browser's time zone.
 */
import { REGION_IDS, type RegionId } from "../../shared/regions.ts";

export type GeoPermission = "granted" | "prompt" | "denied" | "unsupported";

/** What geolocation would do if asked, without asking. */
export async function geoPermission(): Promise<GeoPermission> {
  if (!("geolocation" in navigator)) return "unsupported";
  try {
    const status = await navigator.permissions.query({ name: "geolocation" });
    return status.state;
  } catch {
    return "prompt";
  }
}

/** Asks the browser for a position; rejects on refusal or after `timeoutMs`. */
export function locate(timeoutMs = 8000): Promise<{ lat: number; lon: number }> {
  return new Promise((ok, fail) => {
    // Some browsers never call back while the permission prompt is ignored: time out ourselves too.
    const timer = setTimeout(() => fail(new Error("Location timed out")), timeoutMs + 500);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        clearTimeout(timer);
        ok({ lat: Math.round(pos.coords.latitude * 10) / 10, lon: Math.round(pos.coords.longitude * 10) / 10 });
      },
      (err) => {
        clearTimeout(timer);
        fail(new Error(err.message || "Location unavailable"));
      },
      { timeout: timeoutMs, maximumAge: 10 * 60_000, enableHighAccuracy: false },
    );
  });
}

const EAST_EUROPE = /^Europe\/(Warsaw|Kiev|Kyiv|Bucharest|Helsinki|Moscow|Athens|Istanbul|Sofia|Riga|Tallinn|Vilnius|Minsk|Chisinau|Belgrade|Budapest|Prague|Bratislava|Zagreb|Ljubljana|Sarajevo|Skopje|Tirane|Podgorica|Kaliningrad|Samara|Volgograd)/;
const WEST_AMERICA = /^America\/(Los_Angeles|Vancouver|Tijuana|Denver|Phoenix|Boise|Edmonton|Anchorage|Juneau|Whitehorse|Yellowknife|Mazatlan|Hermosillo)|^Pacific\/Honolulu/;
const SOUTH_AMERICA = /^America\/(Sao_Paulo|Argentina|Buenos_Aires|Santiago|Lima|Bogota|Caracas|Montevideo|Asuncion|La_Paz|Guayaquil|Fortaleza|Recife|Manaus|Belem|Bahia|Cuiaba)/;
const MIDDLE_EAST = /^Asia\/(Dubai|Riyadh|Tehran|Baghdad|Qatar|Kuwait|Bahrain|Muscat|Amman|Beirut|Damascus|Jerusalem|Tel_Aviv|Baku|Yerevan|Tbilisi)/;
const SOUTH_ASIA = /^Asia\/(Kolkata|Calcutta|Karachi|Dhaka|Colombo|Kathmandu|Thimphu|Kabul|Tashkent|Almaty)|^Indian\//;

/** A sensible default region from an IANA time zone name. */
export function guessRegion(timeZone: string): RegionId {
  if (WEST_AMERICA.test(timeZone)) return "na-west";
  if (SOUTH_AMERICA.test(timeZone)) return "sa";
  if (timeZone.startsWith("America/")) return "na-east";
  if (EAST_EUROPE.test(timeZone)) return "eu-east";
  if (timeZone.startsWith("Europe/") || timeZone.startsWith("Atlantic/")) return "eu-west";
  if (timeZone.startsWith("Africa/")) return /Cairo/.test(timeZone) ? "me" : "af";
  if (MIDDLE_EAST.test(timeZone)) return "me";
  if (SOUTH_ASIA.test(timeZone)) return "as-south";
  if (timeZone.startsWith("Australia/") || /^Pacific\/(Auckland|Fiji|Guam|Port_Moresby)/.test(timeZone)) return "oc";
  if (timeZone.startsWith("Asia/")) return "as-east";
  return "eu-west";
}

export function isRegionId(v: unknown): v is RegionId {
  return typeof v === "string" && (REGION_IDS as string[]).includes(v);
}

const REGION_KEY = "arena.region";

/** The region picked last time on this browser, else a guess from the time zone. */
export function loadRegion(): RegionId {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(REGION_KEY);
  } catch {
    /* storage blocked */
  }
  return isRegionId(saved) ? saved : guessRegion(Intl.DateTimeFormat().resolvedOptions().timeZone ?? "");
}

export function saveRegion(region: RegionId): void {
  try {
    localStorage.setItem(REGION_KEY, region);
  } catch {
    /* storage blocked */
  }
}
