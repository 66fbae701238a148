/**
 * One Redis pub/sub channel per node (`keys.nodes.inbox(nodeId)`): how a node hands work to another one,
 * e.g. a player's inputs to the node hosting their match. One subscriber connection per node, whatever
 * the number of message kinds. Sharded pub/sub (SPUBLISH) on Redis >= 7: the channel carries the node's
 * hash tag, so on Redis Cluster it lives on one shard instead of being broadcast to every shard.
 *
 * Messages are typed: each feature declares its kinds in `InboxMessages` (declaration merging, as the
 * socket.io cluster adapter types its MessageType union) and registers a schema with its handler; every
 * message is checked once here, so handlers only see well-formed payloads. Wire form: JSON `{t, ...}`.
 *
 * Pub/sub is fire-and-forget on purpose: a message to a dead node is lost, which is right for inputs
 * (the next one supersedes it) and for nudges (the scanners catch up).
 */
import type { FastifyBaseLogger } from "fastify";
import type { TSchema } from "typebox";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import { compiled } from "../validation.ts";

/** Payload of each message kind (without its `t`), by kind; features merge their kinds in. */
export interface InboxMessages {}

export type InboxKind = keyof InboxMessages & string;

interface Route {
  check: (value: unknown) => boolean;
  handler: (msg: never) => void;
}

export class NodeInbox {
  private readonly routes = new Map<string, Route>();
  private sub: RedisClient | null = null;

  constructor(
    private readonly nodeId: string,
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly log: FastifyBaseLogger,
    private readonly sharded: boolean,
    private readonly onDropped: (reason: "unparsable" | "unknown_kind" | "invalid") => void = () => {},
  ) {}

  /** Registers the handler of one kind; `schema` validates the whole message (its `t` included). */
  on<K extends InboxKind>(kind: K, schema: TSchema, handler: (msg: InboxMessages[K]) => void): void {
    const v = compiled(schema);
    this.routes.set(kind, { check: (x) => v.Check(x), handler: handler as (msg: never) => void });
  }

  /** Subscribes this node's channel on a dedicated connection. */
  async start(connect: (name: string, opts?: { subscriber?: boolean }) => Promise<RedisClient>): Promise<void> {
    const sub = await connect("inbox-sub", { subscriber: true });
    this.sub = sub;
    const channel = this.keys.nodes.inbox(this.nodeId);
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
  send<K extends InboxKind>(nodeId: string, kind: K, msg: InboxMessages[K]): void {
    const raw = JSON.stringify({ t: kind, ...msg });
    const channel = this.keys.nodes.inbox(nodeId);
    const sent = this.sharded ? this.redis.spublish(channel, raw) : this.redis.publish(channel, raw);
    sent.catch((err: unknown) => this.log.warn({ err, to: nodeId }, "inbox publish failed"));
  }

  /** Checks and delivers one raw message (also the local short-cut, and tests). */
  dispatch(raw: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      this.onDropped("unparsable");
      return;
    }
    const kind = (msg as { t?: unknown } | null)?.t;
    const route = typeof kind === "string" ? this.routes.get(kind) : undefined;
    if (!route) return this.onDropped("unknown_kind");
    if (!route.check(msg)) {
      this.log.warn({ kind }, "inbox: malformed message dropped");
      return this.onDropped("invalid");
    }
    try {
      route.handler(msg as never);
    } catch (err) {
      this.log.error({ err, kind }, "inbox handler failed");
    }
  }

  /** Unsubscribes (the connection itself is closed with the node). */
  async stop(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    if (!sub) return;
    const channel = this.keys.nodes.inbox(this.nodeId);
    await (this.sharded ? sub.sunsubscribe(channel) : sub.unsubscribe(channel)).catch(() => {});
  }
}
