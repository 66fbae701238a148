/**
 * Operator control of a match, from any node, whichever node hosts it:
 * - `end`: the host sets the simulation to its end, so the normal ender runs (final checkpoint, result to
 *   the boards once, fenced finish, then `match:end` once). A match hosted elsewhere is ended by its host
 *   (inbox message "end"); a match nobody hosts (dead host, not started) is taken over by this node first.
 * - `handOver`: the host stops ticking, names the target as the chosen host, checkpoints and releases the
 *   lease in one step, and nudges the target, which resumes from that very checkpoint (no rewind). The
 *   other nodes' scanners leave the free lease to the chosen host while it lives.
 * Both answer once Redis shows the outcome (record ended, lease held by the target), or UNAVAILABLE after
 * CONFIRM_TIMEOUT_MS; both are safe to repeat.
 */
import Type from "typebox";
import type { MatchResultRow } from "../../shared/game/types.ts";
import { ConflictError, NotFoundError, UnavailableError } from "../errors.ts";
import type { MatchRuntime } from "./match-runtime.ts";

declare module "../nodes/node-inbox.ts" {
  interface InboxMessages {
    /** Operator: end match `m` now (sent to its host). */
    end: { m: string };
    /** Operator: hand match `m` over to node `to` (sent to its host). */
    handover: { m: string; to: string };
  }
}

/** How long an action waits for Redis to show its outcome. */
const CONFIRM_TIMEOUT_MS = 5_000;
const POLL_MS = 50;
/** A message to a host that has not acted is sent again this often (pub/sub may lose one). */
const RESEND_MS = 1_000;

export interface MatchEndOutcome {
  matchId: string;
  /** False: it had already ended before this call (the result is applied once either way). */
  ended: boolean;
  results: MatchResultRow[];
}

export interface MatchHandOverOutcome {
  matchId: string;
  /** Node that held the lease (null: nobody did). */
  from: string | null;
  to: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MatchId = Type.String({ minLength: 1, maxLength: 64 });

export class MatchControl {
  constructor(
    private readonly rt: MatchRuntime,
    /** Takes the lease of a match and starts hosting it (the scanner's). */
    private readonly tryHost: (matchId: string) => Promise<void>,
    /** Asks a node to take a match now. */
    private readonly nudge: (matchId: string, nodeId: string) => void,
  ) {
    const { inbox } = rt.nodes;
    inbox.on("end", Type.Object({ t: Type.Literal("end"), m: MatchId }), (msg) => void this.endHere(msg.m));
    inbox.on("handover", Type.Object({ t: Type.Literal("handover"), m: MatchId, to: MatchId }), (msg) => {
      this.handOverHere(msg.m, msg.to).catch((err: unknown) => rt.core.log.error({ err, matchId: msg.m }, "hand-over failed"));
    });
  }

  /** Ends a match now: its standings become its result. */
  async end(matchId: string, reason: string): Promise<MatchEndOutcome> {
    const { store, core, nodes } = this.rt;
    const first = await store.outcome(matchId);
    if (!first) throw new NotFoundError("No such match");
    if (first.status === "ended") return { matchId, ended: false, results: first.results };
    core.log.info({ matchId, reason }, "ending match on an operator's request");
    const resend = new Resender();
    return this.until(async () => {
      if (!this.endHere(matchId)) {
        const host = await store.currentHost(matchId);
        if (!host || host === core.nodeId) await this.tryHost(matchId);
        else if (resend.due(host)) nodes.inbox.send(host, "end", { m: matchId });
        this.endHere(matchId);
      }
      await sleep(POLL_MS);
      const o = await store.outcome(matchId);
      if (!o) throw new NotFoundError("The match is gone");
      return o.status === "ended" ? { matchId, ended: true, results: o.results } : null;
    }, "The match's host did not confirm the end in time; retry (ending is idempotent)");
  }

  /** Moves a match to another live node (default: the least loaded other one). */
  async handOver(matchId: string, toNodeId: string | undefined): Promise<MatchHandOverOutcome> {
    const { store, core, nodes } = this.rt;
    const [o, from] = await Promise.all([store.outcome(matchId), store.currentHost(matchId)]);
    if (!o) throw new NotFoundError("No such match");
    if (o.status === "ended") throw new ConflictError("The match has ended");
    let to = toNodeId;
    if (to) {
      if (!(await nodes.registry.alive([to]))[0]) throw new ConflictError(`Node ${to} is not live`);
    } else {
      to = await nodes.pickHost({ exclude: from ?? core.nodeId });
      if (!to || to === from) throw new ConflictError("No other live node to hand the match to");
    }
    if (to === from) throw new ConflictError(`Node ${to} already hosts the match`);
    const target = to;
    core.log.info({ matchId, from, to: target }, "handing match over on an operator's request");
    const resend = new Resender();
    return this.until(async () => {
      const host = await store.currentHost(matchId);
      if (host === target) return { matchId, from, to: target };
      if (host === core.nodeId) await this.handOverHere(matchId, target);
      else if (host && resend.due(host)) nodes.inbox.send(host, "handover", { m: matchId, to: target });
      else if (!host && resend.due("")) {
        await store.rehost(matchId, target);
        this.nudge(matchId, target);
      }
      await sleep(POLL_MS);
      return null;
    }, "The match did not move in time; retry");
  }

  /** Sets a match hosted here to its end (the tick loop then ends it once); false when not hosted here. */
  private endHere(matchId: string): boolean {
    const h = this.rt.hosted.get(matchId);
    if (!h || h.status === "stopped") return false;
    if (!h.ended) h.state = { ...h.state, phase: "ended", phaseLeftMs: 0 };
    return true;
  }

  /** On the host: stop ticking, name the target, checkpoint + release, nudge the target. */
  private async handOverHere(matchId: string, to: string): Promise<void> {
    const { hosted, store, leases, core } = this.rt;
    const h = hosted.get(matchId);
    if (!h || h.status !== "running") return;
    hosted.remove(h);
    await store.rehost(matchId, to);
    await leases.handOver(h, h.checkpoint(core.now()));
    this.nudge(matchId, to);
  }

  private async until<T>(step: () => Promise<T | null>, timeoutMessage: string): Promise<T> {
    const deadline = performance.now() + CONFIRM_TIMEOUT_MS;
    for (;;) {
      const done = await step();
      if (done) return done;
      if (performance.now() > deadline) throw new UnavailableError(timeoutMessage);
    }
  }
}

/** Sends a message to a host once, then again every RESEND_MS while it has not acted. */
class Resender {
  private to = "\u0000";
  private at = 0;

  due(host: string): boolean {
    const now = performance.now();
    if (host === this.to && now - this.at < RESEND_MS) return false;
    this.to = host;
    this.at = now;
    return true;
  }
}
