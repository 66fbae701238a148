/** The matches list and one match's detail, from the match records, leases and checkpoints in Redis. */
import type { MatchDetail, MatchList, MatchRow } from "../../shared/admin-api.ts";
import type { AdminReads, MatchView } from "./sources.ts";

function rowOf(v: MatchView): MatchRow {
  const s = v.snapshot;
  const scores = new Map(s?.p.map((row) => [row[0], row[3]]) ?? []);
  return {
    matchId: v.matchId,
    queue: v.queue,
    status: v.status,
    phase: s?.ph ?? null,
    phaseLeftMs: s?.t ?? null,
    players: v.roster.map((p) => ({ playerId: p.playerId, name: p.name, score: scores.get(p.index) ?? null })),
    chosenHost: v.chosenHost,
    host: v.host,
    createdAt: v.createdAt,
    checkpointAt: v.checkpointAt,
  };
}

/** One page of the active matches, oldest first. */
export async function buildMatchList(reads: AdminReads, offset: number, limit: number, now: number): Promise<MatchList> {
  const { total, ids } = await reads.matches.active(offset, limit);
  const views = await reads.matches.view(ids);
  return { at: now, total, matches: views.filter((v): v is MatchView => v !== null).map(rowOf) };
}

/** One match with its roster, arena and freshest snapshot (live from memory when hosted here); null when gone. */
export async function buildMatchDetail(reads: AdminReads, matchId: string): Promise<MatchDetail | null> {
  const [v] = await reads.matches.view([matchId]);
  if (!v) return null;
  const snapshot = reads.matches.localSnapshot(matchId) ?? v.snapshot;
  return { ...rowOf({ ...v, snapshot }), arena: v.arena, roster: v.roster, snapshot };
}
