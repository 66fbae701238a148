/**
 * A claimed group, from the claim record the fenced claim script stores to the created match: ids, the
 * record itself, and its completion (match created, ticket pointers released, claim forgotten, players
 * told). Completion is idempotent, so a claim left pending by a node that died is completed by any other.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Group, TicketInfo } from "./group-selection.ts";
import { pointerOf, type ClaimRecord } from "./tickets.ts";
import type { MatchmakerDeps } from "./matchmaker.ts";

/** A fresh id for tickets and matches: 72 random bits, URL-safe. */
export function newId(): string {
  return randomBytes(9).toString("base64url");
}

export function toClaim(queue: string, fence: number, g: Group, now: number): ClaimRecord {
  const players: TicketInfo[] = g.tickets.map((t) => ({ ticketId: t.ticketId, playerId: t.playerId, name: t.name, rating: t.rating, joinedAt: t.joinedAt, home: t.home, ...(t.node ? { node: t.node } : {}) }));
  return {
    matchId: newId(),
    queue,
    fence,
    createdAt: now,
    seed: randomInt(2 ** 31 - 1),
    seedTicketId: g.seed.ticketId,
    radiusKm: g.radiusKm,
    skillBand: g.skillBand,
    waitMs: g.waitMs,
    players,
  };
}

/**
 * Has the match created (record and each player's current-match pointer, through the matches feature),
 * then releases the ticket pointers, forgets the pending claim and notifies. Idempotent: an existing record
 * is kept as it is (the match runtime may already have updated it), pointers are compare-and-deleted.
 */
export async function completeClaim(deps: MatchmakerDeps, claim: ClaimRecord, recovered: boolean): Promise<void> {
  const { store, metrics, log } = deps;
  try {
    // Hosted where most of its players are connected (claims stored before nodes were recorded have none).
    const near = claim.players.flatMap((p) => (p.node ? [p.node] : []));
    const hostNodeId = await deps.pickHost(near).catch((err: unknown) => {
      log.warn({ err }, "pickHost failed; hosting the match here");
      return deps.nodeId;
    });
    await deps.createMatch({
      matchId: claim.matchId,
      queue: claim.queue,
      fence: claim.fence,
      hostNodeId,
      createdAt: claim.createdAt,
      seed: claim.seed,
      players: claim.players.map((p) => ({ playerId: p.playerId, name: p.name, rating: p.rating })),
    });
    await Promise.all(claim.players.map((p) => store.releasePointer(p.playerId, pointerOf(p.home, p.ticketId))));
    await store.dropClaim(claim.queue, claim.matchId);
    metrics.matchesCreated.inc();
    for (const p of claim.players) metrics.queueWait.observe(Math.max(0, claim.createdAt - p.joinedAt) / 1000);
    deps.onMatch({ ...claim, hostNodeId, recovered });
  } catch (err) {
    // The claim stays pending in the queue slot; a later pass completes it.
    log.error({ err, matchId: claim.matchId }, "completing a claimed match failed");
  }
}
