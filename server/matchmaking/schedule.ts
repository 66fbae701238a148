/**
 * Pure search schedule: how far and how wide in skill a ticket searches after waiting a while, when it
 * moves on to the worldwide queue, and a rough wait estimate. Everything comes from configuration
 * (RADIUS_STEPS_KM, RADIUS_STEPS_MS, SKILL_BANDS, MATCH_*); no Redis here.
 */
import type { Config } from "../config.ts";

export interface SearchSchedule {
  /** Radius of each step (km); the last step is worldwide. */
  radiusKm: readonly number[];
  /** Wait (ms) at which each step starts; strictly increasing. */
  startsAtMs: readonly number[];
  /** Skill band (+-rating) of each step. */
  skillBand: readonly number[];
}

export interface GroupRules {
  minPlayers: number;
  maxPlayers: number;
  /** Wait of the oldest ticket before a match may start with fewer than maxPlayers. */
  fillWaitMs: number;
}

export interface SearchStep {
  step: number;
  radiusKm: number;
  skillBand: number;
}

/** Reads the schedule from the validated config. */
export function scheduleFromConfig(config: Pick<Config, "RADIUS_STEPS_KM" | "RADIUS_STEPS_MS" | "SKILL_BANDS">): SearchSchedule {
  return { radiusKm: config.RADIUS_STEPS_KM, startsAtMs: config.RADIUS_STEPS_MS, skillBand: config.SKILL_BANDS };
}

/** Reads the group-size rules from the validated config. */
export function rulesFromConfig(config: Pick<Config, "MATCH_MIN_PLAYERS" | "MATCH_MAX_PLAYERS" | "MATCH_FILL_WAIT_MS">): GroupRules {
  return { minPlayers: config.MATCH_MIN_PLAYERS, maxPlayers: config.MATCH_MAX_PLAYERS, fillWaitMs: config.MATCH_FILL_WAIT_MS };
}

/** Index of the step in force after waiting `waitMs` (step 0 before the first start). */
export function stepAt(schedule: SearchSchedule, waitMs: number): number {
  let i = 0;
  while (i + 1 < schedule.startsAtMs.length && waitMs >= schedule.startsAtMs[i + 1]!) i++;
  return i;
}

function step(schedule: SearchSchedule, i: number): SearchStep {
  return { step: i, radiusKm: schedule.radiusKm[i]!, skillBand: schedule.skillBand[i]! };
}

/** The last step is the worldwide one: a regional queue stops one short of it. */
export function lastRegionalStep(schedule: SearchSchedule): number {
  return Math.max(0, schedule.radiusKm.length - 2);
}

/** Wait after which a regional ticket moves on to the worldwide queue (the start of the last step). */
export function worldwideAfterMs(schedule: SearchSchedule): number {
  return schedule.startsAtMs[schedule.startsAtMs.length - 1]!;
}

/** Search radius and skill band of a ticket that has waited `waitMs`, in a regional or the worldwide queue. */
export function searchFor(schedule: SearchSchedule, waitMs: number, worldwide: boolean): SearchStep {
  const last = schedule.radiusKm.length - 1;
  if (worldwide) return step(schedule, last);
  return step(schedule, Math.min(stepAt(schedule, waitMs), lastRegionalStep(schedule)));
}

/** Whether a group of `size` may start now, given the wait of its oldest ticket. */
export function sizeAllowed(rules: GroupRules, size: number, oldestWaitMs: number): boolean {
  if (size < rules.minPlayers || size > rules.maxPlayers) return false;
  return size === rules.maxPlayers || oldestWaitMs >= rules.fillWaitMs;
}

/**
 * A rough wait estimate for a new ticket from how many others are within each step's radius (skill is
 * ignored, so it is optimistic): the earliest step at which a full match, or after the fill wait a
 * smaller one, could form. Nobody around: the worldwide step (or the fill wait, if later).
 */
export function estimateWaitMs(schedule: SearchSchedule, rules: GroupRules, othersWithinStep: readonly number[], passIntervalMs: number): number {
  let best = Math.max(worldwideAfterMs(schedule), rules.fillWaitMs);
  for (let i = 0; i < schedule.startsAtMs.length; i++) {
    const others = othersWithinStep[i] ?? 0;
    const at = schedule.startsAtMs[i]!;
    if (others >= rules.maxPlayers - 1) best = Math.min(best, at);
    else if (others >= rules.minPlayers - 1) best = Math.min(best, Math.max(at, rules.fillWaitMs));
  }
  return best + passIntervalMs;
}
