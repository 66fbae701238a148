/**
 * One Redis pub/sub channel per node (`keys.nodeInbox(nodeId)`): how a node hands work to another one,
 * e.g. a player's inputs to the node hosting their match. One subscriber connection per node, whatever
 * the number of message kinds. Sharded pub/sub (SPUBLISH) on Redis >= 7: the channel carries the node's
 * hash tag, so on Redis Cluster it lives on one shard instead of being broadcast to every shard.
 *
 * Pub/sub is fire-and-forget on purpose: a message to a dead node is lost, which is right for inputs
 * (the next one supersedes it) and for nudges (the scanners catch up).
 */
import type { Redis } from "ioredis";
import type { FastifyBaseLogger } from "fastify";
import type { Keys } from "../redis/keys.ts";

/** A message between nodes: a kind `t` and whatever that kind carries. */
export interface InboxMessage {
  t: string;
  [field: string]: unknown;
}

export type InboxHandler = (msg: InboxMessage) => void;

export class NodeInbox {
  private readonly handlers = new Map<string, InboxHandler>();
  private sub: Redis | null = null;
  private sharded = true;

  constructor(
    private readonly nodeId: string,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Registers the handler of one message kind (one per kind). */
  on(kind: string, handler: InboxHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Subscribes this node's channel on a dedicated connection. */
  async start(connect: (name: string) => Promise<Redis>): Promise<void> {
    const info = await this.redis.info("server");
    this.sharded = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0) >= 7;
    const sub = await connect("inbox-sub");
    this.sub = sub;
    const channel = this.keys.nodeInbox(this.nodeId);
    const onMessage = (ch: string, raw: string) => {
      if (ch === channel) this.dispatch(raw);
    };
    if (this.sharded) {
      sub.on("smessage", onMessage);
      await sub.ssubscribe(channel);
    } else {
      sub.on("message", onMessage);
      await sub.subscribe(channel);
    }
  }

  /** Sends a message to another node's inbox (no delivery guarantee). */
  send(nodeId: string, msg: InboxMessage): void {
    this.sendRaw(nodeId, JSON.stringify(msg));
  }

  /** Sends an already encoded message. */
  sendRaw(nodeId: string, raw: string): void {
    const channel = this.keys.nodeInbox(nodeId);
    const sent = this.sharded ? this.redis.spublish(channel, raw) : this.redis.publish(channel, raw);
    sent.catch((err: unknown) => this.log.warn({ err, to: nodeId }, "inbox publish failed"));
  }

  /** Delivers a message as if it came from Redis (local short-cut, tests). */
  dispatch(raw: string): void {
    let msg: InboxMessage;
    try {
      msg = JSON.parse(raw) as InboxMessage;
    } catch {
      this.log.warn("inbox: unparsable message dropped");
      return;
    }
    const handler = typeof msg?.t === "string" ? this.handlers.get(msg.t) : undefined;
    if (!handler) return;
    try {
      handler(msg);
    } catch (err) {
      this.log.error({ err, kind: msg.t }, "inbox handler failed");
    }
  }

  /** Unsubscribes (the connection itself is closed with the node). */
  async stop(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    if (!sub) return;
    const channel = this.keys.nodeInbox(this.nodeId);
    await (this.sharded ? sub.sunsubscribe(channel) : sub.unsubscribe(channel)).catch(() => {});
  }
}
