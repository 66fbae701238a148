/**
 * Feature "limits": cluster-wide rate limits (GCRA in Redis), the local game-input budget, and
 * escalation (violations -> temporary bans enforced at login and at the socket handshake, on every node).
 *
 * - `limit(subject, action)`: a player's budget when the player is known (socket events, authenticated
 *   HTTP), else the IP's (login, public reads). A banned subject is refused BANNED (403) before its budget
 *   is looked at; a refusal throws RateLimitedError (429 / RATE_LIMITED ack) and adds a violation to that
 *   same subject only: a player's misbehaviour is the player's, never its address's, and anonymous
 *   refusals count against the address, which players in good standing protect from a ban (standing.ts).
 * - `ping` and `bad_token` are budgeted in memory (local-limits.ts).
 * - `gateFire(ctx, "match:input")`: local per-socket budget (see input-budget.ts for why local is exact).
 * - Invalid payloads and unknown events: a small free allowance per socket, violations beyond it.
 * - Bans: checked at login (IP, the device's player when known, and new devices from a banned player's
 *   address) and at handshake (player and IP); issuing one disconnects the subject's live sockets on
 *   every node (through the adapter).
 */
import { ErrorCode } from "../../shared/errors.ts";
import { rooms } from "../../shared/protocol.ts";
import { BannedError, RateLimitedError } from "../errors.ts";
import { defineFeature, type Core, type Feature, type FeatureInstance, type LimitSubject } from "../core/feature.ts";
import type { PlayerStore } from "../players/player-store.ts";
import type { EventContext } from "../sockets/event-router.ts";
import type { AppSocket } from "../sockets/types.ts";
import { AbuseTracker, type ViolationReason } from "./abuse.ts";
import { InputBudget, StrikeBudget, type InputBudgetSettings } from "./input-budget.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { LOCAL_ACTIONS, LocalLimits } from "./local-limits.ts";
import { AddressStanding } from "./standing.ts";
import { RuleSet } from "./rules.ts";
import { ipSubject, playerSubject, type Subject } from "./subject.ts";
import { limitsAdminRoutes } from "./admin-routes.ts";
import { RefusalFeed } from "./refusal-feed.ts";

/** Violation weights: a refused request is a slip; a flood is deliberate. */
const WEIGHT: Record<Exclude<ViolationReason, "bad_admin_token">, number> = { rate_limited: 1, invalid_payload: 1, unknown_event: 1, input_flood: 10 };
/** Wrong admin tokens from one address that ban it (within the decay window): guessing is never cheap. */
export const ADMIN_GUESSES_BEFORE_BAN = 5;
/** Free invalid/unknown messages per socket: a burst of 20, then one every 3 s (client bugs happen). */
const FREE_STRIKES = 20;
const STRIKES_PER_SECOND = 1 / 3;

export interface LimitsOptions {
  /** Input budget (default: INPUT_RATE_PER_SECOND, one second of burst, 5 s flood tolerance). */
  input?: Partial<InputBudgetSettings>;
}

/** Room of every socket from one address, so an IP ban can reach them on every node. */
export const ipRoom = (subject: Subject) => `abuse:${subject.key}`;

export interface LimitsService {
  readonly limiter: RateLimiter;
  readonly abuse: AbuseTracker;
  readonly standing: AddressStanding;
  readonly local: LocalLimits;
  /** The recent refusals and violations (admin Abuse view). */
  readonly refusals: RefusalFeed;
  /** Throws BannedError when any of the subject's player or IP is banned (e.g. the admin area, per IP). */
  checkBan(subject: LimitSubject): Promise<void>;
  /** Counts a violation against the subject's player and IP (a wrong admin token: ADMIN_GUESSES_BEFORE_BAN ban the IP). */
  violation(subject: LimitSubject, reason: ViolationReason, detail?: string): void;
}

declare module "../core/feature.ts" {
  interface Services {
    limits: LimitsService;
  }
}

/** The limits feature with its default settings. */
export const limitsFeature = createLimitsFeature();

/** The limits feature with some settings replaced (tests, benchmarks). */
export function createLimitsFeature(opts: LimitsOptions = {}): Feature<"limits"> {
  return defineFeature({ name: "limits", needs: ["players"], create: (core, { players }) => createLimits(core, players.store, opts) });
}

function createLimits(ctx: Core, players: PlayerStore, opts: LimitsOptions): FeatureInstance<LimitsService> {
  const { config, metrics } = ctx;
  const rules = new RuleSet(config.RATE_LIMITS);
  const limiter = new RateLimiter(ctx.redis, ctx.scripts, ctx.keys, rules);
  const refusals = new RefusalFeed(ctx.redis, ctx.keys, ctx.nodeId);
  const abuse = new AbuseTracker(
    ctx.redis,
    ctx.scripts,
    ctx.keys,
    metrics,
    ctx.log,
    {
      playerThreshold: config.BAN_THRESHOLD,
      ipThreshold: config.IP_BAN_THRESHOLD,
      banMs: config.BAN_SECONDS * 1000,
      decayPerSecond: config.BAN_THRESHOLD / config.VIOLATION_DECAY_SECONDS,
      goodWindowMs: config.GOOD_STANDING_SECONDS * 1000,
    },
    async (subject, reason, remainingMs, ip) => {
      limiter.rememberBan(subject.key, remainingMs);
      if (subject.kind === "player") await standing.playerBanned(subject.id, ip, remainingMs);
      await kickBanned(ctx, subject, reason, remainingMs);
    },
    refusals,
  );
  // Half a guess of headroom: the score decays between guesses, and the fifth must still reach the threshold.
  const adminGuessWeight = Math.ceil(config.IP_BAN_THRESHOLD / (ADMIN_GUESSES_BEFORE_BAN - 0.5));
  const weightOf = (reason: ViolationReason) => (reason === "bad_admin_token" ? adminGuessWeight : WEIGHT[reason]);
  const standing = new AddressStanding(ctx.redis, ctx.keys, { goodWindowMs: config.GOOD_STANDING_SECONDS * 1000, newDeviceBlockMs: config.NEW_DEVICE_BLOCK_SECONDS * 1000 });
  const local = new LocalLimits(rules);
  const inputSettings: InputBudgetSettings = { ratePerSecond: config.INPUT_RATE_PER_SECOND, ...opts.input };
  // Per-socket state lives as long as the socket object: no cleanup on disconnect needed.
  const inputBudgets = new WeakMap<AppSocket, InputBudget>();
  const strikes = new WeakMap<AppSocket, StrikeBudget>();

  const subjectsOf = (s: LimitSubject): Subject[] => {
    const out: Subject[] = [];
    if (s.playerId) out.push(playerSubject(s.playerId));
    if (s.ip) out.push(ipSubject(s.ip));
    return out;
  };

  /**
   * Throws BannedError when a subject is banned. `cached`: a ban this node saw in the last few seconds
   * answers without Redis (logins, hammered); handshakes, budgeted per address already, always ask, so
   * an operator's lift shows at once.
   */
  const refuseIfBanned = async (subjects: Subject[], cached: boolean) => {
    const known = cached ? Math.max(0, ...subjects.map((s) => limiter.bannedLocally(s.key))) : 0;
    if (known > 0) throw new BannedError(known);
    const times = await abuse.banTimes(subjects);
    times.forEach((ms, i) => limiter.rememberBan(subjects[i]!.key, ms));
    const ms = Math.max(0, ...times);
    if (ms > 0) throw new BannedError(ms);
  };

  /** A refused request: counted, and a violation of its owner (a player, or an anonymous address). */
  const refused = (owner: Subject, action: string, retryAfterMs: number, ip?: string, message?: string): RateLimitedError => {
    metrics.rateLimited.inc({ action });
    abuse.record([owner], WEIGHT.rate_limited, "rate_limited", { detail: action, ip });
    return new RateLimitedError(retryAfterMs, message ?? `Too many ${action} requests; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  };

  const onReject = (c: EventContext, kind: "invalid" | "unknown") => {
    let budget = strikes.get(c.socket);
    const now = performance.now();
    if (!budget) strikes.set(c.socket, (budget = new StrikeBudget(FREE_STRIKES, STRIKES_PER_SECOND, now)));
    if (budget.take(now)) {
      const reason: ViolationReason = kind === "invalid" ? "invalid_payload" : "unknown_event";
      abuse.record([playerSubject(c.playerId)], WEIGHT[reason], reason, { ip: c.ip });
    }
  };

  const limit = async (subject: LimitSubject, action: string) => {
    // The budget belongs to the player when known (one budget across nodes and reconnects), else the IP.
    const owner = subjectsOf(subject)[0];
    if (!owner) return;
    if (LOCAL_ACTIONS.has(action)) {
      const r = local.take(action, owner.key);
      if (!r.ok) throw refused(owner, action, r.retryAfterMs, subject.ip);
      return;
    }
    const d = await limiter.check(owner.key, action);
    if (d.bannedMs > 0) throw new BannedError(d.bannedMs);
    if (!d.allowed) throw refused(owner, action, d.retryAfterMs, subject.ip);
  };

  /** What this node remembers of a subject's ban and refusals (after a lift on any node). */
  const forget = (subjectKey: string) => {
    limiter.forget(subjectKey);
    local.forget(subjectKey);
  };
  ctx.io.of("/").on("limits:lifted", forget);
  /** Lifts a ban: in Redis, the new-device block it caused, and every node's cached copy at once. */
  const lift = async (subject: Subject): Promise<boolean> => {
    const had = await abuse.lift(subject);
    if (subject.kind === "player") await standing.playerLifted(subject.id);
    forget(subject.key);
    ctx.io.of("/").serverSideEmit("limits:lifted", subject.key);
    return had;
  };

  return {
    service: {
      limiter,
      abuse,
      standing,
      local,
      refusals,
      checkBan: (s) => refuseIfBanned(subjectsOf(s), false),
      violation: (s, reason, detail) => abuse.record(subjectsOf(s), weightOf(reason), reason, { detail, ip: s.ip }),
    },

    registerEvents(router) {
      router.onReject = onReject;
    },

    limit,

    async beforeLogin(ip, deviceId) {
      // Bans first: a banned address or player hears 403 BANNED, never 429, and costs no budget.
      const address = ipSubject(ip);
      await refuseIfBanned([address], true);
      const [known, blockedMs] = await Promise.all([players.idOfDevice(deviceId), standing.newDevicesBlockedFor(ip)]);
      if (known) await refuseIfBanned([playerSubject(known)], true);
      else if (blockedMs > 0) throw new BannedError(blockedMs, `A player from this address was banned: new players from it are paused for ${Math.ceil(blockedMs / 1000)} s`);
      await limit({ ip }, "login");
    },

    beforeAuthenticate(ip) {
      // Over its bad-token budget, an address is refused before any hashing or Redis call.
      const address = ipSubject(ip);
      const r = local.peek("bad_token", address.key);
      if (!r.ok) throw refused(address, "bad_token", r.retryAfterMs, ip, `Too many invalid tokens from this address; retry in ${Math.ceil(r.retryAfterMs / 1000)} s`);
    },

    onAuthFailed(ip) {
      local.take("bad_token", ipSubject(ip).key);
    },

    async beforeConnect(playerId, ip) {
      await refuseIfBanned([playerSubject(playerId), ipSubject(ip)], false);
    },

    async onConnected(socket) {
      void socket.join(ipRoom(ipSubject(socket.data.ip)));
      // Passed every ban check: the player vouches for its address from now on.
      await standing.connected(socket.data.playerId, socket.data.ip);
    },

    gateFire(c) {
      let budget = inputBudgets.get(c.socket);
      const now = performance.now();
      if (!budget) inputBudgets.set(c.socket, (budget = new InputBudget(inputSettings, now)));
      const verdict = budget.take(now);
      if (verdict === "ok") return true;
      metrics.inputsDropped.inc({ reason: "over_budget" });
      if (verdict === "flood") {
        metrics.inputFloods.inc();
        abuse.record([playerSubject(c.playerId)], WEIGHT.input_flood, "input_flood", { ip: c.ip });
        ctx.log.warn({ playerId: c.playerId, ip: c.ip }, "input flood: disconnecting");
        c.socket.emit("server:notice", { code: ErrorCode.INPUT_FLOOD, message: "Too many inputs; disconnected" });
        c.socket.disconnect(true);
      }
      return false;
    },

    registerAdminRoutes(admin) {
      return limitsAdminRoutes(admin, { abuse, rules, lift, banSeconds: config.BAN_SECONDS });
    },

    async stop() {
      await abuse.stop();
    },
  };
}

/** Tells a freshly banned subject's live sockets why, then closes them, on whichever node they are. */
async function kickBanned(ctx: Core, subject: Subject, reason: string, remainingMs: number): Promise<void> {
  const room = subject.kind === "player" ? rooms.player(subject.id) : ipRoom(subject);
  const message = `Temporarily banned (${reason}) for ${Math.ceil(remainingMs / 1000)} s`;
  // Per socket (like the one-socket rule): a room broadcast and a room disconnect travel on different
  // adapter channels and could overtake each other; a socket's own notice and disconnect cannot.
  const sockets = await ctx.io.in(room).fetchSockets();
  for (const s of sockets) {
    s.emit("server:notice", { code: ErrorCode.BANNED, message });
    s.disconnect(true);
  }
}
