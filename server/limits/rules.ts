/**
 * Rate-limit budgets per action: built-in defaults, overridden by RATE_LIMITS. A budget is `count`
 * requests per `periodMs`, bursting up to `count` (GCRA). Any action without a rule gets DEFAULT_RULE, so
 * a module that adds an action is limited from day one.
 */
import type { RateRule } from "../config.ts";

/** Fallback for an action name with no rule of its own. */
export const DEFAULT_ACTION = "default";

/**
 * Defaults sized for people, not scripts: a player re-queues a few times a minute, a page loads the
 * boards a few times a minute. Subjects: `login` and `admin_login` by IP; the rest by player on sockets
 * and by IP on public HTTP routes.
 */
export const DEFAULT_RULES: Readonly<Record<string, RateRule>> = Object.freeze({
  // A NAT or campus may log many devices in from one address.
  // Generous enough for players sharing one address (campus, carrier NAT); still stops scripted signups.
  login: { count: 60, periodMs: 60_000 },
  queue_join: { count: 20, periodMs: 60_000 },
  queue_leave: { count: 20, periodMs: 60_000 },
  boards_read: { count: 120, periodMs: 60_000 },
  // The admin hook runs before authentication on every admin request (the dashboard polls), so this
  // budget must cover a busy dashboard; it still caps token guessing at a few per second per address.
  admin_login: { count: 300, periodMs: 60_000 },
  // Checked in each node's memory (local-limits.ts). The client pings every 2 s; 30 per 10 s leaves room
  // for other engines' clients. Bad tokens: a NAT's players whose sessions expired each retry once.
  ping: { count: 30, periodMs: 10_000 },
  bad_token: { count: 60, periodMs: 60_000 },
  [DEFAULT_ACTION]: { count: 60, periodMs: 60_000 },
});

/** A rule in the form the GCRA script takes. */
export interface CompiledRule {
  action: string;
  count: number;
  periodMs: number;
  /** Emission interval in microseconds: period / count (rounded; the burst stays exactly `count`). */
  intervalUs: number;
}

/** Every action's budget after overrides, with a fallback for unknown actions. */
export class RuleSet {
  private readonly rules = new Map<string, CompiledRule>();

  constructor(overrides: Readonly<Record<string, RateRule>> = {}) {
    for (const [action, rule] of Object.entries({ ...DEFAULT_RULES, ...overrides })) {
      this.rules.set(action, { action, ...rule, intervalUs: Math.max(1, Math.round((rule.periodMs * 1000) / rule.count)) });
    }
  }

  /** The rule of an action, or the default one. */
  get(action: string): CompiledRule {
    return this.rules.get(action) ?? this.rules.get(DEFAULT_ACTION)!;
  }

  /** Every configured rule (for docs and the admin view). */
  list(): CompiledRule[] {
    return [...this.rules.values()];
  }
}
