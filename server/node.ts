/**
 * Starts one game node for a given config: Redis connections, Lua scripts, the app, listen, modules;
 * returns a handle whose `stop()` is the graceful shutdown (SIGTERM path). Used by the entry point,
 * the cluster launcher and multi-node tests.
 */
import type { Redis } from "ioredis";
import type { Config } from "./config.ts";
import { connectRedis } from "./redis/connection.ts";
import { Scripts } from "./redis/scripts.ts";
import { buildApp, type AppDeps, type BuiltApp } from "./app.ts";

export interface RunningNode extends BuiltApp {
  url: string;
  port: number;
  /** Graceful stop: tell clients, close sockets, stop modules, quit Redis. Idempotent. */
  stop(): Promise<void>;
}

export interface StartNodeOptions {
  logger?: AppDeps["logger"];
  now?: () => number;
  modules?: AppDeps["modules"];
}

/** Connects, builds, listens and starts background modules. */
export async function startNode(config: Config, opts: StartNodeOptions = {}): Promise<RunningNode> {
  if (!config.REDIS_URL) throw new Error("startNode needs REDIS_URL (the entry point starts an embedded Redis first)");
  const url = config.REDIS_URL;
  const clients: Redis[] = [];
  const connect = async (role: string) => {
    const c = await connectRedis(url, { name: `${config.NODE_ID}:${role}`, subscriber: role.includes("sub") });
    clients.push(c);
    return c;
  };
  let built: BuiltApp | undefined;
  try {
    const redis = await connect("main");
    const sub = await connect("adapter-sub");
    const scripts = await Scripts.load(redis);
    built = await buildApp({ config, redis, sub, scripts, connect, logger: opts.logger, now: opts.now, modules: opts.modules });
    await built.app.listen({ port: config.PORT, host: config.HOST });
    for (const m of built.modules) await m.start?.();
  } catch (err) {
    await built?.app.close().catch(() => {});
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    throw err;
  }
  const addr = built.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.PORT;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  let stopping: Promise<void> | null = null;
  const app = built.app;
  return {
    ...built,
    url: `http://${host}:${port}`,
    port,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      })();
      return stopping;
    },
  };
}
