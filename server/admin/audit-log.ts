/**
 * The audit log: every admin action appended to a capped Redis Stream (XADD MAXLEN ~ AUDIT_MAX_ENTRIES,
 * so Redis trims whole macro nodes cheaply), read newest first with XREVRANGE and paged by entry id.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { AuditEntry, AuditPage } from "../../shared/admin-api.ts";

/** Entries kept (approximately: MAXLEN ~ trims in whole stream nodes). */
export const AUDIT_MAX_ENTRIES = 10_000;
/** Longest `detail` kept, characters. */
const DETAIL_MAX = 500;

export type AuditRecord = Omit<AuditEntry, "id" | "at">;

export class AuditLog {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keys: Keys,
    private readonly now: () => number,
  ) {
    this.key = keys.admin.audit;
  }

  /** Appends one entry; resolves with its stream id. */
  async append(r: AuditRecord): Promise<string> {
    const id = await this.redis.xadd(
      this.key,
      "MAXLEN",
      "~",
      AUDIT_MAX_ENTRIES,
      "*",
      "at",
      String(this.now()),
      "who",
      r.who,
      "action",
      r.action,
      "target",
      r.target,
      "ip",
      r.ip,
      "node",
      r.nodeId,
      "detail",
      r.detail.slice(0, DETAIL_MAX),
      "status",
      String(r.status),
    );
    return id ?? "";
  }

  /** Newest first; `before` (exclusive) continues from a previous page's `next`. */
  async page(count: number, before?: string): Promise<AuditPage> {
    const end = before ? `(${before}` : "+";
    const rows = (await this.redis.xrevrange(this.key, end, "-", "COUNT", count + 1)) as [string, string[]][];
    const entries = rows.slice(0, count).map(([id, fields]) => toEntry(id, fields));
    return { entries, next: rows.length > count ? entries[entries.length - 1]!.id : null };
  }
}

function toEntry(id: string, flat: string[]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  return {
    id,
    at: Number(f.at ?? id.split("-")[0]),
    who: f.who ?? "",
    action: (f.action ?? "") as AuditEntry["action"],
    target: f.target ?? "",
    ip: f.ip ?? "",
    nodeId: f.node ?? "",
    detail: f.detail ?? "",
    status: Number(f.status ?? 0),
  };
}
