/**
 * Ends the matches this node hosts, in an order where a crash at any point loses nothing, changes nothing
 * twice and tells the players once:
 *   1. fenced checkpoint of the final state (with its end time), so a host that resumes it reports the
 *      very same results;
 *   2. the result handed to the boards (a resuming host may append it again: the consumer applies a
 *      match once);
 *   3. fenced status "ended" with the results: from here no node ever resumes the match;
 *   4. `match:end` to the players (only after 3: a successor that resumed after 1 or 2 tells them instead;
 *      each player gets it once whoever sends it, see player-attach.ts);
 *   5. players' match pointers, then the active list (any node's scanner finishes this if we die here).
 * While Redis is unreachable the result stays with its host, which keeps trying and appends it when Redis
 * answers again (taking its lapsed lease back when nobody hosted the match meanwhile).
 */
import { StaleFencingTokenError } from "../errors.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import type { MatchHost } from "./match-host.ts";
import type { LeaseKeeper } from "./lease-keeper.ts";
import { matchEndOf, matchResultOf, resultRowsOf } from "./match-messages.ts";
import type { MatchRecord } from "./match-record.ts";
import { validUntil, type MatchRuntime } from "./match-runtime.ts";

/** How long an ended match's record stays readable (admin views, late readers). */
export const ENDED_RECORD_KEEP_MS = 60_000;
/** Back-off between attempts to end a match while Redis fails: 100 ms more per attempt, at most this. */
const END_RETRY_MAX_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MatchEnder {
  constructor(
    private readonly rt: MatchRuntime,
    private readonly keeper: LeaseKeeper,
    /** Delivers match:end to the match's players on every node. */
    private readonly tell: (end: MatchEnd) => void,
  ) {}

  /** Ends a hosted match in the background (a graceful stop waits for it). */
  end(h: MatchHost): void {
    this.rt.hosted.track(this.finish(h));
  }

  private async finish(h: MatchHost): Promise<void> {
    if (h.status !== "running") return;
    h.status = "ending";
    const { core, leases, hosted, boards } = this.rt;
    h.endedAt ??= core.now();
    const endedAt = h.endedAt;
    const rows = resultRowsOf(h.record, h.state);
    for (let attempt = 1; ; attempt++) {
      try {
        const sentAt = performance.now();
        await leases.checkpoint(h, h.checkpoint(core.now()));
        await leases.confirm(h);
        h.lease.validUntil = validUntil(this.rt.timings, sentAt);
        if (!h.resultAppended) {
          await boards.appendResult(matchResultOf(h.record, h.state, rows, endedAt));
          h.resultAppended = true;
          core.metrics.resultsAppended.inc();
        }
        await leases.finish(h, endedAt, JSON.stringify(rows), ENDED_RECORD_KEEP_MS);
        break;
      } catch (err) {
        if (err instanceof StaleFencingTokenError) {
          // Lapsed while Redis was away or this node stalled: go on if nobody hosted it meanwhile.
          if (!hosted.stopped && (await this.keeper.retake(h))) continue;
          return hosted.drop(h, "lease lost while ending");
        }
        if (hosted.stopped) {
          // The lease lapses and another node resumes the ended state from the checkpoint and ends it.
          core.log.error({ err, matchId: h.matchId }, "could not end match before stopping; leaving it to a successor");
          return hosted.drop(h, "end failed");
        }
        if (attempt === 1 || attempt % 10 === 0) core.log.warn({ err, matchId: h.matchId, attempt }, "could not end match yet; keeping its result and retrying");
        await sleep(Math.min(100 * attempt, END_RETRY_MAX_MS));
      }
    }
    this.tell(matchEndOf(h.record, rows, endedAt));
    hosted.remove(h);
    await this.bookkeeping(h.matchId, h.record.players.map((p) => p.playerId));
  }

  /** A match ended by a host that died before telling its players or clearing their pointers. */
  async recoverEnd(record: MatchRecord): Promise<void> {
    if (record.results && record.endedAt) this.tell({ matchId: record.matchId, results: record.results, endedAt: record.endedAt });
    await this.bookkeeping(record.matchId, record.players.map((p) => p.playerId));
  }

  /**
   * Clears the players' pointers to an ended match, then delists it: pointers first, so while the match
   * is still listed any node's scanner finishes this if we fail here. All idempotent.
   */
  async bookkeeping(matchId: string, playerIds: readonly string[]): Promise<void> {
    try {
      await this.rt.players.clearMatch(playerIds, matchId);
      await this.rt.store.delist([matchId]);
    } catch (err) {
      this.rt.core.log.warn({ err, matchId }, "match end bookkeeping failed");
    }
  }
}
