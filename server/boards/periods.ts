/**
 * Board periods in UTC: daily instances are "YYYY-MM-DD", weekly instances are ISO weeks "YYYY-Www"
 * (weeks start on Monday; the week-numbering year is the year of the week's Thursday), all-time is "all".
 * Every function takes the time as an argument so callers pass the node's injectable clock.
 */
import type { LeaderboardPeriod } from "../../shared/schemas.ts";

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
export const ALLTIME_INSTANCE = "all";
export const PERIODS: readonly LeaderboardPeriod[] = ["alltime", "daily", "weekly"];

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

/** UTC day of a time, "YYYY-MM-DD". */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO week of a time, "YYYY-Www". */
export function isoWeekOf(ms: number): string {
  const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = midnight + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return `${year}-W${pad(week)}`;
}

/** Minute of the UTC day (0..1439), the field of per-minute series. */
export function minuteOfDay(ms: number): number {
  return Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / 60_000);
}

/** Start (ms) of a UTC day instance; null when it is not a real calendar day. */
export function dayStart(instance: string): number | null {
  const m = DAY_RE.exec(instance);
  if (!m) return null;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayOf(start) === instance ? start : null;
}

/** Start (ms, Monday 00:00 UTC) of an ISO week instance; null when the year has no such week. */
export function weekStart(instance: string): number | null {
  const m = WEEK_RE.exec(instance);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const start = week1Monday + (week - 1) * WEEK_MS;
  return week >= 1 && isoWeekOf(start) === instance ? start : null;
}

/** The board instance of a period that contains a time. */
export function instanceAt(period: LeaderboardPeriod, ms: number): string {
  if (period === "daily") return dayOf(ms);
  if (period === "weekly") return isoWeekOf(ms);
  return ALLTIME_INSTANCE;
}

/** End (ms, exclusive) of a period instance; null for all-time (it never ends) or a malformed instance. */
export function instanceEnd(period: LeaderboardPeriod, instance: string): number | null {
  if (period === "daily") {
    const s = dayStart(instance);
    return s === null ? null : s + DAY_MS;
  }
  if (period === "weekly") {
    const s = weekStart(instance);
    return s === null ? null : s + WEEK_MS;
  }
  return null;
}

/**
 * Resolves the optional `date` of a request to an instance: daily takes "YYYY-MM-DD"; weekly takes
 * "YYYY-Www" or a day (the ISO week containing it); all-time ignores it. Null when the date is invalid.
 */
export function resolveInstance(period: LeaderboardPeriod, date: string | undefined, nowMs: number): string | null {
  if (period === "alltime") return ALLTIME_INSTANCE;
  if (date === undefined) return instanceAt(period, nowMs);
  if (period === "daily") return dayStart(date) === null ? null : date;
  if (weekStart(date) !== null) return date;
  const day = dayStart(date);
  return day === null ? null : isoWeekOf(day);
}

/** Grace after a period ends during which its board is kept readable (the archive). */
export interface PeriodGrace {
  dailyGraceMs: number;
  weeklyGraceMs: number;
}

/**
 * Milliseconds a period board instance has left to live, from `nowMs`: period end plus its archive grace.
 * 0 means permanent (all-time); a negative value means the instance is already past its archive.
 */
export function boardTtlMs(period: LeaderboardPeriod, instance: string, nowMs: number, grace: PeriodGrace): number {
  if (period === "alltime") return 0;
  const end = instanceEnd(period, instance);
  if (end === null) return -1;
  const ttl = end + (period === "daily" ? grace.dailyGraceMs : grace.weeklyGraceMs) - nowMs;
  // Never 0 for a period board: 0 means "permanent" to the scripts.
  return ttl <= 0 ? -1 : ttl;
}
