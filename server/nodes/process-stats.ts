/**
 * This process's figures for the heartbeat (the dashboard's node list): resident memory, CPU use since
 * the previous sample, and the version it runs.
 */
import { readFileSync } from "node:fs";

const PACKAGE_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
})();

/** "<package version> / <Node.js version>", e.g. "0.1.0 / v20.19.0". */
export const NODE_VERSION = `${PACKAGE_VERSION} / ${process.version}`;

export interface ProcessSample {
  rssBytes: number;
  /** CPU (user + system) over the time since the previous sample, percent of one core. */
  cpuPercent: number;
  version: string;
}

/** Samples RSS and CPU; each call measures CPU since the one before. */
export class ProcessStats {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  sample(): ProcessSample {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const wallUs = Math.max(1, (at - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    return { rssBytes: process.memoryUsage.rss(), cpuPercent: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10, version: NODE_VERSION };
  }
}
