/**
 * The results consumer every node runs: one consumer (named after the node) of the `boards` group on the
 * results stream. It first re-reads its own pending entries (a restart with the same node id), then
 * alternates XAUTOCLAIM (entries another consumer left pending longer than the claim idle time: that
 * consumer died or hangs) with a blocking XREADGROUP for new entries. A batch is applied by ResultApplier
 * and XACKed only once every step succeeded; on failure it stays pending and is retried.
 *
 * Blocking reads use their own connection (the main one is auto-pipelined and must never block); stop()
 * disconnects it, which ends a pending BLOCK at once instead of waiting it out.
 */
import { ReplyError } from "ioredis";
import type { RedisClient } from "../redis/connection.ts";
import type { FastifyBaseLogger } from "fastify";
import type { Keys } from "../redis/keys.ts";
import type { Metrics } from "../metrics.ts";
import { AppError } from "../errors.ts";
import type { ResultApplier } from "./result-applier.ts";

type StreamEntries = [id: string, fields: string[] | null][];

export interface ConsumerOptions {
  /** Dedicated connection for XREADGROUP BLOCK / XAUTOCLAIM. */
  conn: RedisClient;
  /** Main connection, for XACK. */
  redis: RedisClient;
  keys: Keys;
  applier: ResultApplier;
  consumer: string;
  batch: number;
  blockMs: number;
  claimIdleMs: number;
  log: FastifyBaseLogger;
  metrics: Metrics;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often a consumer measures the group's backlog (the arena_results_pending gauge). */
const BACKLOG_SAMPLE_MS = 5_000;
/** How much longer than one blocking read a stop waits for the loop. */
const STOP_WAIT_MARGIN_MS = 1000;
/** Refusals of one entry by Redis (not connection trouble) after which it is parked in the dead-letter stream. */
export const MAX_ENTRY_REFUSALS = 5;
const DEAD_LETTER_MAXLEN = "10000";

/** A failure that retrying cannot cure: Redis answered with an error (script error, refused arguments). */
function isRefusal(err: unknown): boolean {
  return err instanceof ReplyError || err instanceof AppError;
}

/** Creates the consumer group (reading the stream from its start) unless it exists. */
export async function ensureResultsGroup(redis: RedisClient, keys: Keys): Promise<void> {
  try {
    // "0": results appended before any node ever ran the group are applied too.
    await redis.xgroup("CREATE", keys.boards.results, keys.boards.resultsGroup, "0", "MKSTREAM");
  } catch (err) {
    if (!String((err as Error).message).startsWith("BUSYGROUP")) throw err;
  }
}

export class ResultsConsumer {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private claimCursor = "0-0";
  private nextClaimAt = 0;
  private readOwnPending = true;
  private nextSampleAt = 0;
  /** Entry id -> refusals so far (only entries that failed alone). */
  private readonly refusals = new Map<string, number>();

  constructor(private readonly o: ConsumerOptions) {}

  /** Creates the group if needed and starts the loop in the background. */
  async start(): Promise<void> {
    await ensureResultsGroup(this.o.redis, this.o.keys);
    this.loop = this.run();
  }

  /** Ends the loop: an in-flight batch finishes (and is acked), a pending BLOCK is cut short. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.o.conn.disconnect();
    // A cluster client does not always reject a BLOCK in flight when it disconnects: wait for the batch
    // being applied (acked or left pending, both safe), not for a read that may never answer.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, this.o.blockMs + STOP_WAIT_MARGIN_MS)))]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.step();
        failures = 0;
      } catch (err) {
        if (this.stopping) break;
        failures++;
        if (String((err as Error).message).startsWith("NOGROUP")) {
          // The stream or group was deleted (e.g. FLUSHALL): recreate it and carry on.
          await ensureResultsGroup(this.o.redis, this.o.keys).catch(() => {});
        }
        this.o.log.warn({ err, failures }, "results consumer step failed; retrying");
        // Whatever was read but not acked is in our pending list: read it again after the pause.
        this.readOwnPending = true;
        await sleep(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  /** The group's backlog: pending (read, not acked) plus lag (not read yet), from XINFO GROUPS. */
  private async sampleBacklog(): Promise<void> {
    if (Date.now() < this.nextSampleAt) return;
    this.nextSampleAt = Date.now() + BACKLOG_SAMPLE_MS;
    const { redis, keys, metrics } = this.o;
    try {
      const groups = (await redis.xinfo("GROUPS", keys.boards.results)) as unknown[][];
      for (const g of groups) {
        const f = new Map<string, unknown>();
        for (let i = 0; i + 1 < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
        if (f.get("name") === keys.boards.resultsGroup) metrics.resultsPending.set(Number(f.get("pending") ?? 0) + Number(f.get("lag") ?? 0));
      }
    } catch {
      // The stream may not exist yet; the next sample tells.
    }
  }

  private async step(): Promise<void> {
    await this.sampleBacklog();
    const { conn, keys, consumer, batch } = this.o;
    if (this.readOwnPending) {
      const res = (await conn.xreadgroup("GROUP", keys.boards.resultsGroup, consumer, "COUNT", batch, "STREAMS", keys.boards.results, "0")) as [string, StreamEntries][] | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) this.readOwnPending = false;
      else await this.process(entries);
      return;
    }
    if (Date.now() >= this.nextClaimAt) {
      const [next, claimed] = (await conn.xautoclaim(keys.boards.results, keys.boards.resultsGroup, consumer, this.o.claimIdleMs, this.claimCursor, "COUNT", batch)) as [string, StreamEntries, string[]];
      this.claimCursor = next;
      // A full pass over the pending list ends at cursor 0-0; start the next one after a while.
      if (next === "0-0") this.nextClaimAt = Date.now() + Math.max(50, Math.floor(this.o.claimIdleMs / 2));
      if (claimed.length) {
        this.o.metrics.resultsReclaimed.inc(claimed.length);
        this.o.log.info({ count: claimed.length }, "reclaimed pending results");
        await this.process(claimed);
        return;
      }
      if (next !== "0-0") return;
    }
    const block = Math.max(10, Math.min(this.o.blockMs, this.nextClaimAt - Date.now()));
    const res = (await conn.xreadgroup("GROUP", keys.boards.resultsGroup, consumer, "COUNT", batch, "BLOCK", block, "STREAMS", keys.boards.results, ">")) as [string, StreamEntries][] | null;
    const entries = res?.[0]?.[1];
    if (entries?.length) await this.process(entries);
  }

  /**
   * Applies a batch. When it fails, each entry is retried alone so one bad entry cannot hold back the
   * others; an entry Redis keeps refusing is parked in the dead-letter stream and acked. Connection errors
   * never park anything: the entries stay pending and are retried after the back-off.
   */
  private async process(entries: StreamEntries): Promise<void> {
    try {
      await this.applyAndAck(entries);
      return;
    } catch (err) {
      if (entries.length === 1 || !isRefusal(err)) return this.refused(entries, err);
    }
    let firstError: unknown = null;
    for (const entry of entries) {
      try {
        await this.applyAndAck([entry]);
      } catch (err) {
        firstError ??= err;
        await this.refused([entry], err).catch(() => {});
      }
    }
    if (firstError) throw firstError;
  }

  private async refused(entries: StreamEntries, err: unknown): Promise<never> {
    if (entries.length === 1 && isRefusal(err)) {
      const [id, fields] = entries[0]!;
      const n = (this.refusals.get(id) ?? 0) + 1;
      this.refusals.set(id, n);
      if (n >= MAX_ENTRY_REFUSALS) {
        const { redis, keys } = this.o;
        await redis.xadd(keys.boards.resultsDead, "MAXLEN", "~", DEAD_LETTER_MAXLEN, "*", "id", id, "error", String((err as Error).message), ...(fields ?? []));
        await redis.xack(keys.boards.results, keys.boards.resultsGroup, id);
        this.refusals.delete(id);
        this.o.metrics.resultsSkipped.inc({ reason: "dead_letter" });
        this.o.log.error({ err, id }, "result entry refused repeatedly; moved to the dead-letter stream");
      }
    }
    throw err;
  }

  private async applyAndAck(entries: StreamEntries): Promise<void> {
    const outcome = await this.o.applier.applyEntries(entries.map(([id, fields]) => ({ id, fields })));
    const { metrics, log } = this.o;
    if (outcome.applied) metrics.resultsApplied.inc(outcome.applied);
    if (outcome.duplicates) metrics.resultsSkipped.inc({ reason: "duplicate" }, outcome.duplicates);
    if (outcome.stale) metrics.resultsSkipped.inc({ reason: "stale" }, outcome.stale);
    if (outcome.invalid.length) {
      metrics.resultsSkipped.inc({ reason: "invalid" }, outcome.invalid.length);
      log.warn({ invalid: outcome.invalid }, "unreadable result entries acked without applying");
    }
    if (outcome.ackIds.length) await this.o.redis.xack(this.o.keys.boards.results, this.o.keys.boards.resultsGroup, ...outcome.ackIds);
    if (this.refusals.size) for (const id of outcome.ackIds) this.refusals.delete(id);
  }
}
