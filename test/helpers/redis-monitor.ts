/**
 * MONITOR over a plain TCP socket: every command a Redis server runs while it listens, as argument lists.
 * Not ioredis's `monitor()`: on a busy shared server, output still in flight when that connection is
 * disconnected reaches its reply parser after it left monitor mode and throws an uncaught "Command queue
 * state error" (seen on the cluster engine in CI). A raw socket has no reply queue to get out of step.
 */
import { connect, type Socket } from "node:net";

export interface RedisMonitor {
  /** Stops listening; resolves once the socket is closed. */
  stop(): Promise<void>;
}

/** Undoes Redis's quoting of MONITOR arguments (sdscatrepr: \" \\ \n \r \t \a \b and \xHH). */
function unquote(s: string): string {
  const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", '"': '"', "\\": "\\" };
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (simple[e] ?? e)));
}

/** The quoted arguments of one MONITOR line (`+<ts> [<db> <addr>] "cmd" "arg" ...`). */
export function monitorArgs(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unquote(m[1]!));
}

/** Starts MONITOR on host:port; `onCommand` gets each command's arguments (command name first). */
export async function monitorRedis(host: string, port: number, onCommand: (args: string[]) => void): Promise<RedisMonitor> {
  const sock: Socket = connect({ host, port });
  sock.setEncoding("utf8");
  let buf = "";
  let ready!: () => void;
  let failed!: (err: Error) => void;
  const started = new Promise<void>((ok, fail) => ((ready = ok), (failed = fail)));
  sock.on("error", (err) => failed(err));
  sock.on("data", (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (line === "+OK") ready();
      else if (line.startsWith("-")) failed(new Error(`MONITOR refused: ${line}`));
      else if (line.startsWith("+")) onCommand(monitorArgs(line));
    }
  });
  sock.write("MONITOR\r\n");
  await started;
  return {
    stop: () =>
      new Promise<void>((ok) => {
        sock.once("close", () => ok());
        sock.destroy();
      }),
  };
}
