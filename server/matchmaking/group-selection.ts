/**
 * Pure group selection of one matchmaker pass: given the oldest tickets (seeds), the nearest tickets
 * around each (GEOSEARCH ... ASC) and every ticket's data, choose disjoint groups. The oldest ticket
 * drives its group: its wait sets the radius, the skill band and whether a short group may start.
 * No Redis here; the pass feeds it what it read and claims what it returns.
 */
import { searchFor, sizeAllowed, type GroupRules, type SearchSchedule } from "./schedule.ts";

export interface TicketInfo {
  ticketId: string;
  playerId: string;
  name: string;
  rating: number;
  joinedAt: number;
  /** Home region of the ticket (its regional queue). */
  home: string;
  /** Node the ticket's player is connected to (when known): groups prefer players of the seed's node. */
  node?: string;
}

export interface Neighbour {
  ticketId: string;
  distKm: number;
}

export interface Group {
  /** The oldest ticket, around which the group was searched. */
  seed: TicketInfo;
  /** Seed first, then the others nearest first. */
  tickets: TicketInfo[];
  radiusKm: number;
  skillBand: number;
  /** Wait of the seed when the group was chosen. */
  waitMs: number;
}

export interface SelectionInput {
  now: number;
  schedule: SearchSchedule;
  rules: GroupRules;
  /** Whether this is the worldwide queue (searches at the last step). */
  worldwide: boolean;
  /** Seeds, oldest first. */
  seeds: readonly TicketInfo[];
  /** Tickets around each seed by id, nearest first (the seed itself may appear). */
  neighbours: ReadonlyMap<string, readonly Neighbour[]>;
  /** How many neighbours were asked for: fewer returned means the search saw every ticket in range. */
  searchCount: number;
  /** Every known queued ticket by id (candidates without data are skipped). */
  tickets: ReadonlyMap<string, TicketInfo>;
  /** Tickets already used (claimed or skipped) earlier in this pass. */
  taken?: Set<string>;
}

/**
 * Chooses the group for one seed, or null when it must wait. Candidates must be free, within the radius,
 * within the seed's skill band and belong to other players. A full group (maxPlayers) may start at once;
 * a smaller one only after the fill wait. When the search saw every candidate and taking a full group
 * would strand fewer than minPlayers, it takes fewer so that the rest can still form a group.
 */
export function pickGroup(
  seed: TicketInfo,
  neighbours: readonly Neighbour[],
  tickets: ReadonlyMap<string, TicketInfo>,
  taken: ReadonlySet<string>,
  opts: { now: number; schedule: SearchSchedule; rules: GroupRules; worldwide: boolean; exhaustive: boolean },
): Group | null {
  const waitMs = Math.max(0, opts.now - seed.joinedAt);
  const search = searchFor(opts.schedule, waitMs, opts.worldwide);
  const players = new Set([seed.playerId]);
  const pool: TicketInfo[] = [seed];
  for (const n of neighbours) {
    if (n.ticketId === seed.ticketId || taken.has(n.ticketId) || n.distKm > search.radiusKm) continue;
    const t = tickets.get(n.ticketId);
    if (!t || players.has(t.playerId) || Math.abs(t.rating - seed.rating) > search.skillBand) continue;
    players.add(t.playerId);
    pool.push(t);
  }
  const { minPlayers, maxPlayers } = opts.rules;
  if (pool.length > maxPlayers && seed.node) preferNode(pool, seed.node);
  let size = Math.min(pool.length, maxPlayers);
  const strands = pool.length - size;
  if (opts.exhaustive && strands > 0 && strands < minPlayers && sizeAllowed(opts.rules, pool.length - minPlayers, waitMs)) {
    size = pool.length - minPlayers;
  }
  if (!sizeAllowed(opts.rules, size, waitMs)) return null;
  return { seed, tickets: pool.slice(0, size), radiusKm: search.radiusKm, skillBand: search.skillBand, waitMs };
}

/**
 * With more candidates than seats, players connected to the seed's node go first (nearest first among
 * them, then the others nearest first): every candidate already fits the radius and the band, and a group
 * on one node is hosted there with no snapshot crossing Redis (players of a region, which a geo load
 * balancer sends to the same nodes, then land together). The seed stays first.
 */
function preferNode(pool: TicketInfo[], node: string): void {
  const rest = pool.slice(1);
  const same = rest.filter((t) => t.node === node);
  if (same.length === 0 || same.length === rest.length) return;
  const others = rest.filter((t) => t.node !== node);
  pool.splice(1, rest.length, ...same, ...others);
}

/** Chooses disjoint groups for a pass, oldest seeds first. Marks chosen tickets in `taken`. */
export function selectGroups(input: SelectionInput): Group[] {
  const taken = input.taken ?? new Set<string>();
  const groups: Group[] = [];
  for (const seed of input.seeds) {
    if (taken.has(seed.ticketId)) continue;
    const around = input.neighbours.get(seed.ticketId) ?? [];
    const group = pickGroup(seed, around, input.tickets, taken, {
      now: input.now,
      schedule: input.schedule,
      rules: input.rules,
      worldwide: input.worldwide,
      exhaustive: around.length < input.searchCount,
    });
    if (!group) continue;
    for (const t of group.tickets) taken.add(t.ticketId);
    groups.push(group);
  }
  return groups;
}

/** Why a group breaks the rules, or null when it is valid (used by tests and as a last check before claiming). */
export function groupProblem(group: Group, rules: GroupRules, distKm: (a: TicketInfo, b: TicketInfo) => number, toleranceKm = 0): string | null {
  const n = group.tickets.length;
  if (n < rules.minPlayers || n > rules.maxPlayers) return `size ${n} outside ${rules.minPlayers}..${rules.maxPlayers}`;
  if (n < rules.maxPlayers && group.waitMs < rules.fillWaitMs) return `short group of ${n} before the fill wait`;
  if (new Set(group.tickets.map((t) => t.playerId)).size !== n) return "a player twice";
  for (const t of group.tickets) {
    if (Math.abs(t.rating - group.seed.rating) > group.skillBand) return `rating ${t.rating} outside ${group.seed.rating}+-${group.skillBand}`;
    const d = distKm(group.seed, t);
    if (d > group.radiusKm + toleranceKm) return `${Math.round(d)} km outside ${group.radiusKm} km`;
  }
  return null;
}
