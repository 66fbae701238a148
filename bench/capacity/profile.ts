/**
 * Summary of a V8 .cpuprofile (from the capacity benchmark's window profile, or `node --cpu-prof`): self
 * time per function and per package (node_modules/<pkg>, node: internals, the project's own folders,
 * (garbage collector), (program), (idle)). Run alone: `npx tsx bench/capacity/profile.ts file.cpuprofile [top]`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a node internal, a project folder, or a V8 pseudo-frame. */
export function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  if (url.startsWith("node:")) return url.split("/")[0]!;
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /\/(server|shared|bench|client)\/(.*?)([^/]*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}${m[3]}` : url;
}

export function summarize(file: string, top = 25): string[] {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const fns = new Map<string, number>();
  const buckets = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const b = bucketOf(url, functionName);
    // Project files run through tsx, whose line numbers are of the transformed code: name them by file only.
    const line = url.includes("node_modules/") || url.startsWith("node:") ? `:${lineNumber + 1}` : "";
    const key = url ? `${functionName || "(anonymous)"}  ${b}${line}` : functionName || "(anonymous native)";
    fns.set(key, (fns.get(key) ?? 0) + us);
    buckets.set(b, (buckets.get(b) ?? 0) + us);
  }
  const idle = buckets.get("(idle)") ?? 0;
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const lines = [`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`, "  top functions (self time):"];
  for (const [k, us] of [...fns].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`   ${pct(us)}  ${k}`);
  lines.push("  by package / folder (self time):");
  for (const [k, us] of [...buckets].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`   ${pct(us)}  ${k}`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: npx tsx bench/capacity/profile.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  for (const l of summarize(file, Number(process.argv[3] ?? 25))) console.log(l);
}
