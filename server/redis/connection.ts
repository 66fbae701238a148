/** ioredis connection factory: every client the node opens is made here, named, with the same policy. */
import { Redis, type RedisOptions } from "ioredis";

export type RedisClient = Redis;

export interface RedisConnectOptions {
  /** Shown in CLIENT LIST, e.g. "node-a:main"; helps ops find a connection at 3 a.m. */
  name: string;
  /** Subscriber connections must not queue commands forever while reconnecting. */
  subscriber?: boolean;
}

/** Opens a client and waits until it is ready (rejects if Redis is unreachable at start). */
export async function connectRedis(url: string, opts: RedisConnectOptions): Promise<Redis> {
  const options: RedisOptions = {
    connectionName: opts.name.replace(/[^A-Za-z0-9._:-]/g, "_"),
    lazyConnect: true,
    // Fail a command after a few reconnect attempts instead of hanging a request forever.
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    enableAutoPipelining: !opts.subscriber,
  };
  const client = new Redis(url, options);
  // Without a listener ioredis logs errors to stderr; the owner logs state changes instead.
  client.on("error", () => {});
  await client.connect();
  return client;
}
