/**
 * The Redis keys the admin feature owns (built here only). None is touched by a multi-key script, so no
 * hash tags are needed; each is one key on one slot of a Redis Cluster. Every key has a TTL or a cap.
 */

/** Builds the admin keys for one key prefix. */
export function createAdminKeys(prefix: string) {
  const p = `${prefix}admin:`;
  return Object.freeze({
    /** Stream (capped, MAXLEN ~ AUDIT_MAX_ENTRIES): every admin action. */
    audit: `${p}audit`,
    /** String (JSON, TTL = its lifetime): the announcement players connecting now still get. */
    announcement: `${p}announce`,
    /** Sorted set, all scores 0: "<folded name>\0<playerId>" for prefix search (ZRANGE BYLEX). Capped by players. */
    names: `${p}names`,
    /** Hash: playerId -> the member it has in `names` (to replace it on rename). */
    namesById: `${p}names:by-id`,
    /** Hash (TTL = node TTL x 4): one node's process stats {rss, cpu, version, at}. */
    proc: (nodeId: string) => `${p}proc:${nodeId}`,
    /** Sorted set (TTL = DEAD_NODE_KEEP_MS): nodeId -> last heartbeat seen, to flag nodes that died. */
    nodesSeen: `${p}nodes:seen`,
    /** Hash (TTL = series retention): "<minute>" -> count of one per-minute counter series, one day. */
    series: (kind: string, day: string) => `${p}series:${kind}:${day}`,
    /** Hash (TTL = series retention): "<minute>|<bucket le>" -> queue waits in that bucket, one day. */
    waitHistogram: (day: string) => `${p}series:wait:${day}`,
  });
}

export type AdminKeys = ReturnType<typeof createAdminKeys>;
